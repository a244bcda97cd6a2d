"""Words the panel itself names as values (its refusals, alarms, field labels, words of its own views),
marked for the catalogue (web/translations) like web/i18n_words.py's words of the domain."""
from web.i18n_words import N_

PANEL_WORDS = (
    # web/api.py
    N_('not valid JSON'),
    # web/audit.py
    N_('choose a date'),
    N_('the last day is before the first'),
    # web/auth.py
    N_('API'),
    # web/caseforms.py
    N_('In person'),
    N_('Phone'),
    N_('Letter'),
    N_('E-mail'),
    N_('Service attitude'),
    N_('Cleanliness'),
    N_('Safety hazard'),
    N_('Facility'),
    N_('Other'),
    N_('Closed (case)'),
    N_('Handling step'),
    N_('State changed'),
    N_('Escalation closed'),
    N_('Received'),
    N_('In handling'),
    N_('Answered'),
    N_('Followed up'),
    N_('Reported'),
    N_('First aid'),
    N_('Ambulance (120) called'),
    N_('Hospital'),
    N_('Follow-up'),
    N_('Claim (insurance)'),
    N_('That step does not fit where this record stands now.'),
    N_('Your role may not do this.'),
    # web/desk.py
    N_('Disposal recorded.'),
    # web/deskform.py
    N_('choose the garment too'),
    # web/handover.py
    N_('Work desk tidy'),
    N_('Work log read by the incoming staff'),
    N_('Key cabinet checked'),
    N_('Lost-property store matches the register'),
    N_('Radios and phones charged'),
    N_('Mandarin'),
    N_('Chinese'),
    N_('Mandarin (traditional)'),
    N_('Russian'),
    N_('Cantonese'),
    N_('Japanese'),
    N_('Korean'),
    # web/programmes.py
    N_('minutes'),
    # web/refusals.py
    N_('Remark'),
    N_('Template'),
    N_('User'),
    N_('{user} ({role}) may not {action}: needs {roles}'),
    N_('user {name} is not active'),
    N_('four-eyes: {user} wrote page #{n} and cannot approve it'),
    # broadcaster/announcements/approval.py
    N_('{user} wrote announcement #{n} or this version of it; another supervisor must approve it'),
    N_('{user} wrote announcement #{n} or this version of it; another supervisor must decide'),
    N_('announcement #{n} is {state}; only submitted items can be approved'),
    N_('announcement #{n} is {state}; only submitted items can be rejected'),
    N_('four-eyes: {user} wrote template {key} and cannot approve it'),
    N_('template {key}: no new wording is waiting'),
    N_('case {number}: cannot go from {from} to {to}'),
    N_('item {number}: cannot go from {from} to {to}'),
    N_('item {number}: cannot go from {from} to {to} (record the claim first)'),
    N_('item {number} is {state}: nothing to announce'),
    N_('item {number} is not marked valuable; only valuable items are announced'),
    N_('item {number} is kept until {date}: not due for disposal'),
    N_('case {number} is {state}: nothing to page'),
    N_('it has a remark a supervisor approved: page the case again'),
    N_('case {number} is {state}: follow up after closing it'),
    N_('page #{n}: cannot approve from {state}'),
    N_('page #{n}: cannot reject from {state}'),
    N_('resolve to found, reunited or closed, not {state}'),
    N_('no such page: {n}'),
    N_('no such page template: {key}'),
    N_('no such user: {name}'),
    N_('case {number} uses this word: retire it instead'),
    N_('case {number} names the place {name}: tick Retired instead of removing it'),
    N_('template {key} has no {langs} text yet: an admin adds it and a supervisor approves it'),
    N_('must be one of {values}; got {value}'),
    N_('must be a whole number from {low} to {high}; got {value}'),
    N_('at most {n} characters'),
    # web/reports.py
    N_('Median time to resolve'),
    N_('Children'),
    N_('Reunited within 10 minutes'),
    N_('Reunited within 30 minutes'),
    N_('Closed cases'),
    N_('Taken to hospital'),
    N_('Follow-up visits made'),
    N_('Satisfaction with the result (average, 1-5)'),
    N_('Staff attitude (average, 1-5)'),
    N_('Timeliness (average, 1-5)'),
    N_('hours'),
    N_('Follow-up calls that did not reach the visitor'),
    # web/schedule_ics.py
    N_('it lasts all day ({detail}): give it a time of day'),
    N_('it has more than one repeat rule'),
    N_('it repeats {detail}: only events that repeat every day or every week can be imported'),
    N_('it repeats every few days or weeks: only every day or every week can be imported'),
    N_('it repeats on days such as “{detail}” (the first Monday…): only plain weekdays can be imported'),
    N_('its repeat rule uses {detail}, which this system cannot schedule'),
    N_('it has no start time'),
    N_('it has extra dates (RDATE): make each of them an event of its own'),
    N_('its dates do not make a schedule (does it end before it starts?)'),
    N_('this is not a calendar file (.ics)'),
    N_('the file is damaged, or not a calendar file'),
    N_('the file has no events'),
    N_('every month'),
    N_('every year'),
    N_('every hour'),
    N_('every minute'),
    N_('every second'),
    # web/security_handover.py
    N_('recorded late'),
    # web/templates/cases/_tabs.html
    N_('Overview'),
    N_('Settings'),
    # web/views.py
    N_('Where to collect'),
    N_('Full name'),
    # web/vocabulary.py
    N_('Top (shirt, jacket, dress)'),
    N_('Bottom (trousers, skirt)'),
    N_('masculine (в … свитере)'),
    N_('feminine (в … куртке)'),
    N_('neuter (в … пальто)'),
    N_('plural (в … джинсах)'),
    # broadcaster/paging/lexicon.py, broadcaster/paging/vocabulary.py: accessories (words2)
    N_('choose how it is carried or worn'),
    N_('an accessory is picked without a colour'),
    N_('an accessory goes with the clothes: choose the top too'),
    # broadcaster/venue.py: a retired place offered again from the vocabulary page (words)
    N_('no retired place has this name'),
    N_('name the place in every venue language under Places first'),
    # web/views.py: a template's {looks} (words)
    N_('Height and hair, if picked'),
    # broadcaster/inputs.py, inputs_studio.py: a date that does not exist, a time zone (issue 12)
    N_('no such date: use a date like 2026-11-26'),
    N_('not a time zone: use a name such as Asia/Shanghai'),
    # broadcaster/paging/templates.py: a remark beside its language's box (check_remark)
    N_('give the remark in every language of the venue'),
    N_('give the remark in every language of the venue, or leave it out'),
    N_("no-name rule: a page about a child never says the child's name; remove it from the remark"),
    # web/refusals.py: the dashboard's alarms
    N_('case {number}: still missing {minutes} min after the first page (Code Adam): supervisors, check exits'),
    N_('case {number}: still missing {minutes} min after the first page; the security page was not aired: {why} '
       '(Code Adam): supervisors, check exits'),
    N_('case {number}: the found child waits at {place}; no guardian came {minutes} min after the first page '
       '(Code Adam): supervisors, check exits'),
    N_('case {number}: the found child waits at {place}; no guardian came {minutes} min after the first page; the '
       'security page was not aired: {why} (Code Adam): supervisors, check exits'),
    N_('zone {zone}: player {name} lost (no heartbeat since {time})'),
    N_('Case escalated'),
    # broadcaster/paging/templates.py: a lost-property value said in one language only (check_lost_words)
    N_('said in one language only: pick it from the list'),
    N_("no meeting point is named in every language: an admin marks one among the venue's places"),
    # broadcaster/paging/templates.py: a template's wording refused (web/refusals.py fills the values)
    N_('unknown placeholder(s) {names} for a {purpose} template; allowed: {allowed}'),
    N_('{why} (the parts in braces aside)'),
    N_('template {key}: cannot approve from {state}'),
    N_('placeholder {field} must be a plain field name'),
    N_('a brace is left open or unopened: write each part in braces, like {age}'),
    N_('a template usable for children may not use {name} (no-name rule); make it an adult-only template or '
       'remove {name}'),
    N_('empty'),
    # broadcaster/paging/templates.py SAYS_WHAT: what each placeholder says
    N_('age'), N_('boy or girl'), N_('clothing'), N_('shoes'), N_('height'), N_('hair'), N_('height and hair'),
    N_('place last seen'), N_('time last seen'), N_('meeting point'), N_('name'), N_('case number'),
    N_('category'), N_('colour'), N_('place found'), N_('time found'), N_('place to collect'),
    # broadcaster/users.py STAFF_MISSING: the first day's staff step not done yet
    N_('add a supervisor other than you (they approve the page templates: never the person who wrote them) and '
       'a desk user (they page lost children) before you continue'),
    N_('add a supervisor other than you before you continue: they approve the page templates (never the person '
       'who wrote them)'),
    N_('add a desk user before you continue: they page lost children and record lost property'),
)

#: broadcaster/announcements (scripts, approval, station): an announcement's timeline notes, matched and
#: said in the staff's language by web/annwords.py (values filled in after translation).
ANNOUNCEMENT_NOTES = (
    N_('created'), N_('recorded'), N_('submitted for approval'), N_('version {n} approved'),
    N_('rejected: {reason}'), N_('edited: version {n} awaits approval; version {m} keeps airing'),
    N_('edited; approval void'), N_('edited'), N_('queued'), N_('taken off the air'), N_('past its window'),
    # broadcaster/announcements/station.py: "{kind} in {zone}" (": {detail}" said after it)
    N_('started in {zone}'), N_('completed in {zone}'), N_('interrupted in {zone}'), N_('requeued in {zone}'),
    N_('failed in {zone}'), N_('refused in {zone}'), N_('expired in {zone}'), N_('cancelled in {zone}'),
    N_('lost in {zone}'),
)

#: web/playlistwords.py and broadcaster/inputs.py: a refused music upload, beside its field
PLAYLIST_WORDS = (
    N_('must be a number'), N_('must be a whole number'), N_('must be greater than or equal to {n}'),
    N_('must be less than or equal to {n}'),
    # broadcaster/onair/airings.py: a zone the venue does not have (a rule's or a programme's zones)
    N_("unknown zone(s) {given}; the venue's zones are {zones}"),
    N_('a programme called {title} already exists'), N_('a playlist called {title} already exists'),
    N_('“{file}” has no sound in it (under half a second).'),
    N_('“{file}” is too long: a track may last at most an hour.'),
    N_('“{file}” is not a sound file this system can read (use WAV, FLAC, OGG or MP3).'),
    N_('There is already a playlist with this name: choose another name.'),
    N_('Give the playlist a name (at most 120 characters).'),
    N_('Choose at least one music file.'),
)
