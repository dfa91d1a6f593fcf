SET DEFINE OFF;
-- F_MARITAL: marital statuses (Отбасылық жағдай анықтамалығы)
-- source: marital status categories of the Kazakhstan population census 2021 and BNS demographic statistics
Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values (1,'Никогда не состоял(а) в браке','Ешқашан некеде болмаған',1);
Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values (2,'Состоит в зарегистрированном браке','Тіркелген некеде тұрады',1);
Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values (3,'Состоит в незарегистрированном браке','Тіркелмеген некеде тұрады',1);
Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values (4,'Вдовец (вдова)','Жесір',1);
Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values (5,'Разведен(а)','Ажырасқан',1);
Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values (6,'Разошелся(лась) (брак не расторгнут)','Бөлек тұрады (неке бұзылмаған)',1);
Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values (7,'Не указано','Көрсетілмеген',1);
COMMIT;
