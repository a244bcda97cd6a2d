"""Words the panel translates that reach it as values: states, roles, kinds and labels from the domain,
messages whose values are filled in later. Named here with ``N_`` so that ``pybabel extract`` keeps
them in the catalogue (web/translations); the translations live in the .po file, not here."""


def N_(text: str) -> str:
    """Mark a word for the catalogue; it is translated where it is shown."""
    return text


WORDS = (
    # (not named literally anywhere: a value built at run time or kept for stored records)
    N_('Desk'),
    N_('Please log in.'),
    N_('Queue'),
    N_('Queue is empty'),
    N_('Sex'),
    N_('Window'),
    N_('Satisfaction'),
    N_('Attitude'),
    N_('Channel'),
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
    N_('at most 40 characters'),
    N_('at most 120 characters'),
    N_('at most 200 characters'),
    N_('give the minutes between airings as a whole number'),
    # audio/render.py
    N_('ok'),
    # broadcaster/announcements/approval.py
    N_('approved'),
    # broadcaster/announcements/scripts.py
    N_('draft'),
    N_('edited'),
    # broadcaster/announcements/station.py
    N_('lost'),
    # broadcaster/announcements/versions.py
    N_('pending'),
    # broadcaster/cases/complaints.py
    N_('Already closed.'),
    N_('state'),
    N_('note'),
    # broadcaster/cases/followup.py
    N_('Choose one of the list.'),
    N_('Say what the visitor was unhappy about.'),
    # broadcaster/cases/forms.py
    N_('Required.'),
    N_('At most {limit} characters.'),
    N_('A score from 1 to 5.'),
    N_('Use a date and time like 2026-11-26 14:30.'),
    N_('Cannot be in the future.'),
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
    # broadcaster/cases/missing.py
    N_('opened'),
    N_('repeats cancelled'),
    N_('give the age in whole years, e.g. 5'),
    N_('give an age between 0 and 120'),
    N_('choose boy, girl, man, woman or unknown'),
    N_("give the age (a child's name is never paged)"),
    N_("the guardian's name is needed"),
    N_('a phone number to call the guardian back is needed'),
    N_('describe the person: clothing, shoes, hair or height'),
    N_('say where the guardian should come'),
    # broadcaster/cases/report.py
    N_('reunited'),
    N_('closed'),
    # broadcaster/cases/stats.py
    N_('escalated'),
    # broadcaster/cli.py
    N_('desk'),
    N_('broadcaster'),
    # broadcaster/commands/audio.py
    N_('none'),
    # broadcaster/commands/cases.py
    N_('open'),
    N_('escalation'),
    # broadcaster/commands/desk.py
    N_('missing'),
    N_('found'),
    N_('page'),
    # broadcaster/commands/workflow.py
    N_('admin'),
    N_('supervisor'),
    # broadcaster/errors.py
    N_('No such record.'),
    # broadcaster/logs.py
    N_('device_lost'),
    N_('tts_down'),
    N_('hash_mismatch'),
    N_('render_failed'),
    N_('missed_slot'),
    N_('player_lost'),
    N_('other'),
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
    N_('days'),
    N_('choose how often it airs'),
    N_('give the time it airs'),
    N_('tick at least one weekday'),
    N_('give the date'),
    N_('give the minutes between airings (1 to 1440)'),
    N_('give the hours it airs in (e.g. 10:00 to 17:00)'),
    N_('the end must be after the start'),
    N_('the last day must be after the first'),
    # broadcaster/store/models/cases.py
    N_('paged'),
    N_('stored'),
    N_('claimed'),
    N_('handed_over'),
    N_('retired'),
    # broadcaster/store/models/workflow.py
    N_('submitted'),
    # broadcaster/users.py
    N_('this is not your current password'),
    N_('choose a password different from the current one'),
    N_('the two new passwords differ'),
    N_("2-80 letters, digits, '.', '_' or '-'"),
    N_('this user name is taken'),
    N_('choose a role'),
    N_('you cannot switch off your own account'),
    # broadcaster/venue.py
    N_('English'),
    N_('at most 80 characters'),
    N_("choose the venue's time zone from the list"),
    N_('choose at least one language'),
    N_('choose from the list'),
    N_('give the name in this language too'),
    N_('at most 60 characters'),
    N_('write it in Chinese characters only'),
    N_('write it in English only'),
    N_('write it in Russian only'),
    N_('this name is already used by another place'),
    N_('mark at least one place as a meeting point (where families are sent)'),
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
    # web/deskform.py
    N_('use HH:MM, e.g. 14:30'),
    N_('choose the garment too'),
    # web/handover.py
    N_('Work desk tidy'),
    N_('Work log read by the incoming staff'),
    N_('Key cabinet checked'),
    N_('Lost-property store matches the register'),
    N_('Radios and phones charged'),
    N_('Mandarin'),
    N_('Mandarin (traditional)'),
    N_('Russian'),
    N_('Cantonese'),
    N_('Japanese'),
    N_('Korean'),
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
    N_('minutes'),
    N_('hours'),
    # web/templates/cases/_tabs.html
    N_('Overview'),
    # web/views.py
    N_('Where to collect'),
)
