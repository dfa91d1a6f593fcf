SET DEFINE OFF;
-- F_TRAINING: education types (Білім түрлері анықтамалығы)
-- source: levels of education of the Law of the RK "On Education" (2007) mapped to ISCED 2011; codes 12-14 are pre-2007 categories kept for old records (EXIST=0)
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (1,'Дошкольное воспитание и обучение','Мектепке дейінгі тәрбие және оқыту',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (2,'Начальное образование','Бастауыш білім',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (3,'Основное среднее образование','Негізгі орта білім',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (4,'Общее среднее образование','Жалпы орта білім',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (5,'Техническое и профессиональное образование','Техникалық және кәсіптік білім',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (6,'Послесреднее образование','Орта білімнен кейінгі білім',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (7,'Высшее образование (бакалавриат)','Жоғары білім (бакалавриат)',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (8,'Высшее образование (специалитет, магистратура)','Жоғары білім (мамандандырылған, магистратура)',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (9,'Послевузовское образование (докторантура PhD)','Жоғары оқу орнынан кейінгі білім (PhD докторантура)',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (10,'Не имеет начального образования','Бастауыш білімі жоқ',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (11,'Не указано','Көрсетілмеген',1);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (12,'Неполное высшее образование','Аяқталмаған жоғары білім',0);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (13,'Среднее специальное образование (по классификации до 2007 г.)','Орта арнаулы білім (2007 жылға дейінгі жіктеу бойынша)',0);
Insert into F_TRAINING (CODE,NAME,KZNAME,EXIST) values (14,'Начальное профессиональное образование (по классификации до 2007 г.)','Бастауыш кәсіптік білім (2007 жылға дейінгі жіктеу бойынша)',0);
COMMIT;
