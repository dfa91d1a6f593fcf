SET DEFINE OFF;
-- F_PASSTYPE: identity document types (Жеке басты куәландыратын құжаттар анықтамалығы)
-- source: documents identifying a person under the Law of the RK "On Identity Documents" (2013) and the Law "On Migration of the Population" (2011); USSR passport and oralman certificate kept for old records (EXIST=0)
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (1,'Удостоверение личности гражданина Республики Казахстан','Қазақстан Республикасы азаматының жеке куәлігі',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (2,'Паспорт гражданина Республики Казахстан','Қазақстан Республикасы азаматының паспорты',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (3,'Вид на жительство иностранца в Республике Казахстан','Шетелдіктің Қазақстан Республикасында тұруға ықтиярхаты',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (4,'Удостоверение лица без гражданства','Азаматтығы жоқ адамның куәлігі',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (5,'Паспорт иностранного государства','Шет мемлекеттің паспорты',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (6,'Свидетельство о рождении','Туу туралы куәлік',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (7,'Удостоверение беженца','Босқын куәлігі',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (8,'Удостоверение кандаса','Қандас куәлігі',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (9,'Удостоверение личности моряка','Теңізшінің жеке куәлігі',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (10,'Дипломатический паспорт Республики Казахстан','Қазақстан Республикасының дипломатиялық паспорты',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (11,'Служебный паспорт Республики Казахстан','Қазақстан Республикасының қызметтік паспорты',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (12,'Проездной документ беженца','Босқынның жол жүру құжаты',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (13,'Свидетельство на возвращение в Республику Казахстан','Қазақстан Республикасына қайту туралы куәлік',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (14,'Иной документ, удостоверяющий личность','Жеке басты куәландыратын өзге құжат',1);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (15,'Удостоверение оралмана','Оралман куәлігі',0);
Insert into F_PASSTYPE (CODE,NAME,KZNAME,EXIST) values (16,'Паспорт гражданина СССР','КСРО азаматының паспорты',0);
COMMIT;
