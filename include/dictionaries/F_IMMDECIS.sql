SET DEFINE OFF;
-- F_IMMDECIS: decisions on change of citizenship (Азаматтықты ауыстыру бойынша шешімдер анықтамалығы)
-- source: decisions provided by the Law of the RK "On Citizenship of the Republic of Kazakhstan" (1991, as amended)
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (1,'Прием в гражданство Республики Казахстан','Қазақстан Республикасының азаматтығына қабылдау',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (2,'Прием в гражданство в упрощенном (регистрационном) порядке','Азаматтыққа оңайлатылған (тіркеу) тәртібімен қабылдау',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (3,'Восстановление в гражданстве Республики Казахстан','Қазақстан Республикасының азаматтығын қалпына келтіру',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (4,'Выход из гражданства Республики Казахстан','Қазақстан Республикасының азаматтығынан шығу',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (5,'Утрата гражданства Республики Казахстан','Қазақстан Республикасының азаматтығын жоғалту',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (6,'Лишение гражданства Республики Казахстан','Қазақстан Республикасының азаматтығынан айыру',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (7,'Отказ в приеме в гражданство','Азаматтыққа қабылдаудан бас тарту',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (8,'Отказ в выходе из гражданства','Азаматтықтан шығудан бас тарту',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (9,'Отмена решения по вопросу гражданства','Азаматтық мәселесі бойынша шешімнің күшін жою',1);
Insert into F_IMMDECIS (CODE,NAME,KZNAME,EXIST) values (10,'Признание принадлежности к гражданству Республики Казахстан','Қазақстан Республикасының азаматтығына тиесілілігін тану',1);
COMMIT;
