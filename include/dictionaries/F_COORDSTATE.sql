SET DEFINE OFF;
-- F_COORDSTATE: coordination statuses (Келісу мәртебелері анықтамалығы)
-- source: stages of inter-agency coordination (согласование) of a migration application between the internal affairs and national security bodies
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (1,'Заявление подано','Өтініш берілді',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (2,'На рассмотрении','Қарауда',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (3,'Направлено на согласование','Келісуге жіберілді',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (4,'Согласовано','Келісілді',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (5,'Согласовано с замечаниями','Ескертулермен келісілді',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (6,'Отказано в согласовании','Келісуден бас тартылды',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (7,'Возвращено на доработку','Пысықтауға қайтарылды',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (8,'Отозвано заявителем','Өтініш берушімен кері қайтарылып алынды',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (9,'Срок согласования истек','Келісу мерзімі өтті',1);
Insert into F_COORDSTATE (CODE,NAME,KZNAME,EXIST) values (10,'Исполнено (рассмотрение завершено)','Орындалды (қарау аяқталды)',1);
COMMIT;
