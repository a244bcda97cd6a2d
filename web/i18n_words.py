"""Words the panel translates that reach it as values and that no ``N_``/``N_all`` marks where they are
named (web/i18n.py): states, kinds and messages of the domain, words built at run time or kept for stored
records. Named here with ``N_`` so that ``pybabel extract`` keeps them in the catalogue (web/translations);
the translations live in the .po file, not here."""
from web.i18n import N_

WORDS = (
    # (not named literally anywhere: a value built at run time or kept for stored records)
    N_('Please log in.'),
    N_('Queue'),
    N_('Queue is empty'),
    N_('Sex'),
    N_('Window'),
    N_('Satisfaction'),
    N_('Attitude'),
    N_('Channel'),
    N_('Some events name no programme: choose the programme they air.'),
    N_('choose a piece'),
    N_('a number of seconds'),
    N_('more than 0 seconds'),
    N_('how many seconds of silence'),
    N_('all-clear skipped'),
    N_('security page skipped'),
    N_('page started'),
    N_('page completed'),
    N_('page failed'),
    N_('page refused'),
    N_('page expired'),
    N_('choose the colour and the garment from the lists'),
    N_('at most 120 characters'),
    N_('at most 200 characters'),
    N_('give the minutes between airings as a whole number'),
    N_('say how the owner proved the item is theirs'),
    N_("record the owner's signature or the witness"),
    N_('closing a case requires a result (what happened)'),
    N_('say why the page is rejected'),
    N_("no-name rule: a field typed for this page about a child contains part of the child's given name; remove it"),
    # audio/render.py
    N_('ok'),
    # broadcaster/announcements/scripts.py
    N_('draft'),
    # broadcaster/announcements/station.py
    N_('lost'),
    # broadcaster/cases/complaints.py
    N_('Already closed.'),
    N_('state'),
    N_('note'),
    # broadcaster/cases/followup.py
    N_('Choose one of the list.'),
    N_('Say what the visitor was unhappy about.'),
    # broadcaster/inputs_cases.py
    N_('A score from 1 to 5.'),
    N_('A number of hours from 1 to 720.'),
    N_('Times like 08:00, 18:00.'),
    N_('At most 6 times a day.'),
    # broadcaster/cases/handover.py
    N_('no player for this zone'),
    N_('the player answers, its sound device has a fault'),
    N_('the player answers'),
    N_('the player does not answer'),
    N_('no speech engine in this installation'),
    N_('could not speak'),
    N_('only silence'),
    N_('speaks'),
    N_('did not air'),
    N_('Not checked yet.'),
    N_('Crossed: say why, or what was done about it.'),
    # broadcaster/cases/incidents.py
    N_('Before the incident happened.'),
    # broadcaster/cases/lost_property.py
    N_('give a time with a time zone'),
    N_('this time is in the future'),
    N_('choose how the item left'),
    # broadcaster/cases/missing.py
    N_('opened'),
    N_('repeats cancelled'),
    N_('page reworded'),
    N_('page kept its words'),
    N_('give the age in whole years, e.g. 5'),
    N_('give an age between 0 and 120'),
    N_('choose boy, girl, man, woman or unknown'),
    N_("give the age (a child's name is never paged)"),
    N_("the guardian's name is needed"),
    N_('a phone number to call the guardian back is needed'),
    N_('describe the person: clothing, shoes, hair or height'),
    N_('say where the guardian should come'),
    N_('this language is already chosen above: choose another one or leave this empty'),
    N_('a found child is 0 to 17 years old: page an adult by name as a missing person'),
    N_('a found child is a boy or a girl: choose boy, girl or unknown'),
    # broadcaster/cases/security_handover.py
    N_('Already recorded.'),
    # broadcaster/commands/audio.py
    N_('none'),
    # broadcaster/commands/desk.py
    N_('page'),
    # broadcaster/inputs.py
    N_('must be text'),
    N_('must be yes or no (true or false)'),
    N_('must be an object (name -> value)'),
    N_('must be a list'),
    N_('not a field of this form'),
    N_('expected a JSON object'),
    N_('give at least one'),
    N_('too many entries'),
    N_('not in the expected form'),
    N_('holds a control or invisible character; type the text again'),
    N_('nothing to say: write words, not only signs or emoji'),
    # broadcaster/onair/nowplaying.py
    N_('fault'),
    N_('absent'),
    # broadcaster/paging/defaults.py
    N_('Lost child (description)'),
    N_('Found child: guardian to meeting point'),
    N_('Missing adult (by name)'),
    N_('Security escalation'),
    N_('Security: found child, no guardian yet'),
    N_('Valuable item found'),
    # broadcaster/paging/rules.py: a detail the page cannot translate, beside the language it lacks
    N_('also give it in this language: the page says it in every language and cannot translate it'),
    # broadcaster/paging/lexicon.py
    N_('at most 40 characters'),
    N_('give the word in this language too'),
    N_('this word is already in the list'),
    N_("choose the word's gender"),
    N_('choose what kind of word this is'),
    # broadcaster/paging/onair.py
    N_('page interrupted (player lost)'),
    # broadcaster/paging/paging.py
    N_('page queued'),
    N_('page approved'),
    N_('page rejected'),
    N_('all-clear'),
    N_('security page'),
    # broadcaster/paging/templates.py
    N_('needed for the page'),
    # broadcaster/schedule/rules.py
    N_('choose how often it airs'),
    N_('give the time it airs'),
    N_('tick at least one weekday'),
    N_('give the date'),
    N_('give the minutes between airings (1 to 1440)'),
    N_('give the hours it airs in (e.g. 10:00 to 17:00)'),
    N_('the end must be after the start'),
    N_('the last day must be after the first'),
    # broadcaster/store/models/workflow.py
    N_('submitted'),
    # broadcaster/users.py
    N_('this is the last admin: make another user an admin first'),
    N_('this is not your current password'),
    N_('choose a password different from the current one'),
    N_('the two new passwords differ'),
    N_("2-80 letters, digits, '.', '_' or '-'"),
    N_('this user name is taken'),
    N_('choose a role'),
    N_('you cannot switch off your own account'),
    # broadcaster/venue.py
    N_('a whole number of minutes from 5 to 720'),
    N_('at most 80 characters'),
    N_("choose the venue's time zone from the list"),
    N_('choose at least one language'),
    N_('choose from the list'),
    N_('give the name in this language too'),
    N_('another zone already has this name'),  # broadcaster/venue.py check_zone_names
    N_('at most 60 characters'),
    N_('write it in Chinese characters only'),
    N_('write it in English only'),
    N_('write it in Russian only'),
    N_('this name is already used by another place'),
    N_('mark at least one place as a meeting point (where families are sent)'),
    # web/templates/cases/_tabs.html
    N_('Overview'),
    N_('Settings'),
    # broadcaster/paging/lexicon.py, broadcaster/paging/vocabulary.py: accessories (words2)
    N_('choose how it is carried or worn'),
    N_('an accessory is picked without a colour'),
    N_('an accessory goes with the clothes: choose the top too'),
    # broadcaster/venue.py: a retired place offered again from the vocabulary page (words)
    N_('no retired place has this name'),
    N_('name the place in every venue language under Places first'),
    # broadcaster/inputs.py, inputs_studio.py: a date that does not exist, a time zone (issue 12)
    N_('no such date: use a date like 2026-11-26'),
    N_('not a time zone: use a name such as Asia/Shanghai'),
    # broadcaster/paging/templates.py: a remark beside its language's box (check_remark)
    N_('give the remark in every language of the venue'),
    N_('give the remark in every language of the venue, or leave it out'),
    N_("no-name rule: a page about a child never says the child's name; remove it from the remark"),
    # broadcaster/paging/templates.py: a lost-property value said in one language only (check_lost_words)
    N_('said in one language only: pick it from the list'),
    N_("no meeting point is named in every language: an admin marks one among the venue's places"),
    # broadcaster/paging/templates.py: a template's wording refused (web/refusals.py fills the values)
    N_('a brace is left open or unopened: write each part in braces, like {age}'),
    N_('a template usable for children may not use {name} (no-name rule); make it an adult-only template or '
       'remove {name}'),
    N_('empty'),
    # web/playlistwords.py and broadcaster/inputs.py: a refused music upload, beside its field
    N_('must be a number'),
    N_('must be a whole number'),
    # broadcaster/announcements/approval.py: refusals
    N_('sha256: listen to the audio that will air before approving it'),  # whole: the field keeps its name
    N_('sha256: the audio changed since you listened to it; listen again, then approve'),
    N_('stored audio does not match the render'),
    N_('say why, so the author can fix it'),
    # broadcaster/announcements/scripts.py: refusals
    N_('give the text in at least one language'),
    N_('1-200 characters'),
    N_('announcements range 1-79; pages and emergencies have their own paths'),
    N_('names must be non-empty'),
    N_('must be after valid_from'),
    N_('give a time zone'),
    N_('a list of zone names'),
    N_('too short or silent'),
    N_('this announcement is a recording'),
    N_('this announcement is a script'),
    N_('empty text'),
    # broadcaster/cases/followup.py, handover.py, report.py: refusals
    N_('before the case was closed'),
    N_('the system ticks or crosses the PA lines: run the check again'),
    N_('the outgoing staff who started the handover sign first'),
    N_('the incoming staff sign with their own login'),
    N_('use YYYY-MM, e.g. 2026-11'),
    # broadcaster/onair/airings.py, broadcaster/paging: refusals
    N_('choose at least one zone'),
    N_('must not be negative'),
    # broadcaster/inputs.py, broadcaster/schedule/programmes.py: a priority not on the form's list
    N_('choose a priority from the list (background music, programme or announcement)'),
    N_('give the number of days as a whole number from 1 to 366'),
    N_('nothing to air'),
    N_('must be positive'),
    N_('give the text in at least one language (e.g. zh-CN and en)'),
    N_('1-60 characters a-z, 0-9, _ or -'),
    # broadcaster/schedule: refusals
    N_('give the playlist a name (at most 120 characters)'),
    N_("this is the playlist's only track; delete the playlist instead"),
    N_('its pieces have fixed lengths; add music or silence to change it'),
    N_('a programme needs a name of 1-120 characters'),
    N_('an announcement item needs an id'),
    # broadcaster/users.py: refusals
    N_('who is acting? give a user name'),
    # broadcaster/writing.py: why a text is refused for its language (a script part of a refusal)
    N_('write it in Cyrillic letters only'),
    N_('write it in Japanese script only'),
    N_('write it in Korean script only'),
    N_('write it in Thai script only'),
    N_('write it in Arabic script only'),
    N_('write it in Hebrew script only'),
    N_('write it in Greek letters only'),
    N_('write it in Devanagari only'),
    N_('write it in Latin letters only'),
)
