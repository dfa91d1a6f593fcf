SET DEFINE OFF;
-- F_POSITION: social positions (Әлеуметтік жағдай анықтамалығы)
-- source: social status groups used in Kazakhstan migration and population statistics (employment status, sources of livelihood); "Колхозник" kept for old records (EXIST=0)
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (1,'Рабочий','Жұмысшы',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (2,'Служащий','Қызметші',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (3,'Индивидуальный предприниматель','Жеке кәсіпкер',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (4,'Работодатель','Жұмыс беруші',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (5,'Фермер (член крестьянского или фермерского хозяйства)','Фермер (шаруа немесе фермер қожалығының мүшесі)',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (6,'Самостоятельно занятый','Өз бетінше жұмыспен қамтылған',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (7,'Пенсионер','Зейнеткер',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (8,'Студент','Студент',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (9,'Учащийся (школьник)','Оқушы (мектеп оқушысы)',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (10,'Ребенок дошкольного возраста','Мектеп жасына дейінгі бала',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (11,'Безработный','Жұмыссыз',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (12,'Домохозяйка (домохозяин)','Үй шаруасындағы әйел (ер)',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (13,'Военнослужащий','Әскери қызметші',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (14,'Служитель религиозного культа','Діни қызметші',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (15,'Иждивенец','Асырауындағы адам',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (16,'Другое','Басқа',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (17,'Не указано','Көрсетілмеген',1);
Insert into F_POSITION (CODE,NAME,KZNAME,EXIST) values (18,'Колхозник','Колхозшы',0);
COMMIT;
