"""Twenty announcement scripts in zh-CN, en and ru (alone and bilingual), as venues write them: the
corpus the loudness tests and bench/audio.py render with the real offline engines."""
from __future__ import annotations

SCRIPTS: list[list[tuple[str, str]]] = [
    [("zh-CN", "各位游客请注意，园区将于十八点闭园。"), ("en", "Dear visitors, the park closes at six p.m.")],
    [("zh-CN", "一名五岁男孩在旋转木马附近与家人走散，他穿着红色外套。"),
     ("en", "A five year old boy in a red coat is waiting for his family near the carousel.")],
    [("ru", "Уважаемые посетители, парк закрывается в шесть часов вечера. Спасибо за визит.")],
    [("en", "Attention please. The seven o'clock show will start in ten minutes at the main stage.")],
    [("zh-CN", "请勿在水族馆内使用闪光灯拍照，谢谢合作。")],
    [("en", "Thank you.")],
    [("zh-CN", "雷雨即将来临，户外项目暂停开放，请游客前往室内场馆避雨。"),
     ("ru", "Приближается гроза. Открытые аттракционы временно закрыты.")],
    [("ru", "Внимание! Потерянный ребёнок ждёт родителей у центра для посетителей.")],
    [("en", "Would the owner of a blue car, registration B K seven four two, please return to the car park.")],
    [("zh-CN", "欢迎光临！今天的海豚表演将在下午两点和四点举行。"),
     ("en", "Welcome! Today's dolphin shows are at two and four in the afternoon.")],
    [("zh-CN", "失物招领处位于南门游客中心，开放时间为九点至十七点。")],
    [("ru", "Добро пожаловать! Касса номер три закрыта. Пожалуйста, пройдите к кассе номер один.")],
    [("en", "Emergency. Please leave the building calmly by the nearest exit and follow the staff.")],
    [("zh-CN", "请注意：北门停车场已满，请前往东门停车场。"), ("ru", "Северная парковка заполнена.")],
    [("en", "Lunch is served in the garden restaurant until half past two. "
            "Vegetarian dishes are available at every counter.")],
    [("zh-CN", "好。")],
    [("ru", "Спасибо.")],
    [("zh-CN", "本园区全面禁烟。吸烟区位于西门外，请配合。"), ("en", "This park is smoke free. "
            "The smoking area is outside the west gate.")],
    [("en", "Last call for the shuttle bus to the city centre, leaving from gate two in five minutes.")],
    [("zh-CN", "各位家长请注意，儿童乐园的身高限制为一米二。"),
     ("en", "Parents, please note the height limit in the children's park is one metre twenty."),
     ("ru", "Ограничение роста в детском парке: один метр двадцать.")],
]
