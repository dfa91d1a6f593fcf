SET DEFINE OFF;
-- F_PMJDECIS: residence decisions by type (Түрлері бойынша тұруға шешімдер анықтамалығы)
-- source: decisions on permanent residence (ПМЖ) under the Law of the RK "On Migration of the Population" (2011) and the rules for entry and stay of immigrants
Insert into F_PMJDECIS (CODE,NAME,KZNAME,EXIST) values (1,'Разрешено постоянное проживание (этнический казах, кандас)','Тұрақты тұруға рұқсат берілді (этникалық қазақ, қандас)',1);
Insert into F_PMJDECIS (CODE,NAME,KZNAME,EXIST) values (2,'Разрешено постоянное проживание (воссоединение семьи)','Тұрақты тұруға рұқсат берілді (отбасын біріктіру)',1);
Insert into F_PMJDECIS (CODE,NAME,KZNAME,EXIST) values (3,'Разрешено постоянное проживание (иные основания)','Тұрақты тұруға рұқсат берілді (өзге негіздер)',1);
Insert into F_PMJDECIS (CODE,NAME,KZNAME,EXIST) values (4,'Отказано в разрешении на постоянное проживание','Тұрақты тұруға рұқсат беруден бас тартылды',1);
Insert into F_PMJDECIS (CODE,NAME,KZNAME,EXIST) values (5,'Разрешение на постоянное проживание аннулировано (отозвано)','Тұрақты тұруға рұқсаттың күші жойылды (кері қайтарылды)',1);
Insert into F_PMJDECIS (CODE,NAME,KZNAME,EXIST) values (6,'Срок действия разрешения продлен','Рұқсаттың қолданылу мерзімі ұзартылды',1);
Insert into F_PMJDECIS (CODE,NAME,KZNAME,EXIST) values (7,'Заявление оставлено без рассмотрения','Өтініш қараусыз қалдырылды',1);
Insert into F_PMJDECIS (CODE,NAME,KZNAME,EXIST) values (8,'Оформлен выезд на постоянное жительство за пределы Республики Казахстан','Қазақстан Республикасынан тыс жерге тұрақты тұруға шығу ресімделді',1);
COMMIT;
