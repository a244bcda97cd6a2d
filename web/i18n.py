"""A small dict-based i18n: English keys, Chinese translations. ``t("Dashboard")`` in views and
``{{ _("Dashboard") }}`` in templates. The language comes from the session (``/lang/<code>``), else the
browser's Accept-Language, else English."""
from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, request, session, url_for

LANGUAGES = {"en": "English", "zh": "中文"}

ZH: dict[str, str] = {
    "This is how it will sound.": "播出时就是这样。",
    "This is exactly the audio that will air. Listen to the end, then approve.": "这正是将要播出的音频。请听完后再批准。",
    "PA Broadcaster": "广播系统",
    "Dashboard": "总览",
    "Scripts": "稿件",
    "Approvals": "审批",
    "Desk": "服务台",
    "Schedule": "节目表",
    "Logs": "日志",
    "Log in": "登录",
    "Log out": "退出",
    "User name": "用户名",
    "Password": "密码",
    "Signed in as": "当前用户",
    "Bad user name or password.": "用户名或密码错误。",
    "Too many failed logins: wait a few minutes.": "登录失败次数过多，请几分钟后再试。",
    "Please log in.": "请先登录。",
    "Now playing": "正在播放",
    "live": "实时",
    "Nothing on air": "当前无播出",
    "Queue": "队列",
    "Queue is empty": "队列为空",
    "Background music": "背景音乐",
    "Zone": "分区",
    "Device": "设备",
    "OK": "正常",
    "FAULT": "故障",
    "Zone players": "分区播放器",
    "No player for this zone": "此分区没有播放器",
    "Player not answering; last seen": "播放器无响应，最后心跳",
    "not running": "未运行",
    "ok": "正常", "fault": "故障", "lost": "失联", "absent": "无播放器",
    "Waiting to air": "等待播出",
    "Nothing waiting": "没有等待播出的内容",
    "waiting to air": "等待播出", "on air": "正在播出", "aired": "已播出", "interrupted": "被打断",
    "unconfirmed": "未确认", "failed": "失败", "expired": "已过期", "cancelled": "已取消",
    "On air": "播出情况", "not on air": "未播出", "airings written": "已排播次数",
    "waits for a supervisor": "等待主管审批", "repeating": "重复播出中", "no more repeats": "重复已排完",
    "Open faults": "未处理故障",
    "No open faults": "没有未处理的故障",
    "Acknowledge": "确认",
    "Open cases": "未结案件",
    "No open cases": "没有未结案件",
    "Urgent page": "紧急广播",
    "Missing person": "寻人",
    "Found child": "找到走失儿童",
    "Kind": "类型",
    "Name (never paged for a child)": "姓名（儿童不播报姓名）",
    "Age": "年龄",
    "Sex": "性别",
    "boy": "男孩", "girl": "女孩", "man": "男性", "woman": "女性", "unknown": "不详",
    "Height": "身高",
    "Hair": "发型",
    "Clothing": "衣着",
    "Shoes": "鞋子",
    "Last seen at": "最后出现地点",
    "Meeting point": "会合地点",
    "Reporter": "报案人",
    "Contact": "联系方式",
    "Notes": "备注",
    "Extra text (needs supervisor approval)": "附加文字（需主管审批）",
    "Page now": "立即广播",
    "Cases": "案件",
    "Case": "案件",
    "State": "状态",
    "Opened": "开立时间",
    "Timeline": "时间线",
    "Pages": "广播记录",
    "Resolve": "结案处理",
    "Result": "结果",
    "Page again": "再次广播",
    "Add note": "添加备注",
    "Lost property": "失物招领",
    "valuable": "贵重物品",
    "Register item": "登记物品",
    "Category": "类别",
    "Colour": "颜色",
    "Where found": "拾获地点",
    "Finder": "拾获人",
    "Storage place": "存放位置",
    "Description (staff only)": "描述（仅工作人员可见）",
    "Valuable": "贵重物品",
    "Announce": "广播招领",
    "Claim": "认领",
    "Owner name": "失主姓名",
    "Owner identity": "失主证件",
    "How verified": "核实方式",
    "Signature / witness": "签名/见证人",
    "Hand over": "交还",
    "Templates": "广播模板",
    "Approve": "批准",
    "Reject": "驳回",
    "Reason": "理由",
    "Listen": "试听",
    "Inbox": "待审批",
    "Nothing waiting for approval": "没有待审批的内容",
    "Pending pages": "待审批广播",
    "As-run log": "播出日志",
    "Fault log": "故障日志",
    "Export CSV": "导出 CSV",
    "Title": "标题",
    "Text": "文本",
    "Preview": "试听",
    "Save": "保存",
    "Submit for approval": "提交审批",
    "Record": "录音",
    "Stop": "停止",
    "Upload recording": "上传录音",
    "New script": "新稿件",
    "Rejected": "已驳回",
    "Week": "周",
    "Programmes": "节目",
    "Rules": "规则",
    "Playlists": "播放列表",
    "Upload music": "上传音乐",
    "Music files": "音乐文件",
    "Tracks": "曲目",
    "Length": "时长",
    "Shuffle": "随机播放",
    "Crossfade (s)": "交叉淡化（秒）",
    "Name": "名称",
    "New rule": "新规则",
    "Programme": "节目",
    "Delete": "删除",
    "Edit": "编辑",
    "Days": "星期",
    "Time": "时间",
    "Every (minutes)": "间隔（分钟）",
    "Window": "时段",
    "Date": "日期",
    "Priority": "优先级",
    "Zones": "分区",
    "Previous week": "上一周",
    "Next week": "下一周",
    "Closed": "闭园",
    "Forbidden": "无权访问",
    "Not found": "未找到",
    "Error": "错误",
    "Back": "返回",
    "Saved.": "已保存。",
    "Page queued.": "广播已排队。",
    "Page waits for a supervisor (free text).": "广播含附加文字，等待主管审批。",
    "Service not available in this installation": "本系统未安装此服务",
    "Author": "作者",
    "Language": "语言",
    "Status": "状态",
    "Actions": "操作",
    "At": "时间",
    "Detail": "详情",
    "none": "无",
    "Number": "编号",
    "child": "儿童", "adult": "成人",
    "missing": "寻人", "found": "已找到",
    "open": "开立", "paged": "已发起广播", "escalated": "已升级", "reunited": "已团聚", "closed": "已结案",
    "stored": "存放中", "claimed": "已认领", "handed_over": "已交还",
    "pending": "待审批", "approved": "已批准", "retired": "已停用",
    "draft": "草稿", "submitted": "已提交", "rejected": "已驳回",
    "admin": "管理员", "desk": "服务台", "supervisor": "主管", "broadcaster": "播音员",
    # cases: complaints, incidents, follow-up visits, shift handover, monthly report (issue 15)
    "Visitor services": "客服工作", "Overview": "概览", "Complaints": "投诉", "Complaint": "投诉",
    "Incidents": "意外伤害", "Incident": "意外伤害", "Shift handover": "交接班", "Monthly report": "月度统计",
    "New complaint": "登记投诉", "Record complaint": "登记投诉", "How it came in": "投诉方式",
    "In person": "当面", "Phone": "电话", "Letter": "信函", "E-mail": "电子邮件",
    "Service attitude": "服务态度", "Cleanliness": "清洁卫生", "Safety hazard": "安全隐患", "Facility": "设施设备",
    "Other": "其他", "Closed (case)": "已结案", "Handling step": "处理步骤", "State changed": "状态变更",
    "Escalation closed": "上报已关闭", "Received": "已受理", "In handling": "处理中", "Answered": "已答复",
    "Followed up": "已回访", "Reported": "已报案", "First aid": "现场急救", "Ambulance (120) called": "已呼叫120",
    "Hospital": "陪同就医", "Follow-up": "跟进回访", "Claim (insurance)": "理赔",
    "The matter": "投诉事项", "What the visitor asks for": "游客要求", "Visitor name": "游客姓名",
    "Responsible department": "责任部门", "Received at": "受理时间", "Received by": "接待人",
    "(empty: now)": "（不填则为现在）", "Open only": "只看未结", "Show all": "全部", "No complaints": "没有投诉",
    "went to the manager": "已上报经理", "Went to the manager": "已上报经理",
    "Complaint {number} recorded.": "投诉 {number} 已登记。", "Incident {number} recorded.": "意外伤害 {number} 已登记。",
    "Not answered within {hours} hours: went to the manager.": "{hours} 小时内未答复，已上报经理。",
    "Escalation closed by {name}": "上报已由 {name} 关闭",
    "Result given to the visitor": "处理结果", "Close escalation": "关闭上报", "Manager's instruction": "经理处理意见",
    "A supervisor closes the escalation before the complaint can be closed.": "须由主管先关闭上报，投诉才能结案。",
    "Hand to department": "转责任部门", "Answer the visitor": "答复游客",
    "A follow-up visit is then due within 3 days.": "答复后须在 3 天内回访。",
    "Record follow-up visit": "记录回访", "Close complaint": "投诉结案",
    "Visitor not satisfied: handle again": "游客不满意：重新处理", "Why": "原因", "Handle again": "重新处理",
    "Add handling step": "记录处理步骤", "What was done": "处理内容", "Handling record": "处理记录",
    "Who": "经办人", "What": "事项",
    "Follow-up visits": "回访", "Due": "应回访时间", "Visited": "回访时间", "not yet": "未回访",
    "Satisfaction with the result": "对处理结果满意度", "Staff attitude": "服务态度评价", "Timeliness": "处理及时性",
    "Remarks": "回访记录", "very good": "非常满意", "very poor": "非常不满意",
    "(required when a score is 2 or lower)": "（有 2 分及以下时必填）",
    "Follow-up visit recorded.": "回访已记录。", "Follow-up visits due": "待回访", "due now": "已到期",
    "No follow-up visits due": "没有待回访", "Complaints not answered within {hours} hours.": "超过 {hours} 小时未答复的投诉。",
    "None": "无", "Open complaints": "未结投诉", "Open incidents": "未结意外伤害", "Report an incident": "登记意外伤害",
    "A visitor injured in the venue: first aid, call 120 when needed, then record each step here.":
        "游客在园内受伤：先现场急救，必要时拨打 120，然后在此记录每一步。",
    "Where": "地点", "What happened, the injury": "经过及伤情", "When it happened": "发生时间", "No incidents": "没有意外伤害",
    "Reported by": "登记人", "Next step": "下一步", "Step": "步骤", "When": "时间", "Steps": "处理步骤", "Closed.": "已结案。",
    "(required for hospital, claim and closing)": "（就医、理赔和结案时必填）",
    "required": "必填",
    "Required.": "必填。", "At most {limit} characters.": "最多 {limit} 个字。", "Choose one of the list.": "请从列表中选择。",
    "A score from 1 to 5.": "请打 1 到 5 分。", "Use a date and time like 2026-11-26 14:30.": "请按 2026-11-26 14:30 的格式填写。",
    "Cannot be in the future.": "不能晚于现在。", "Say what the visitor was unhappy about.": "请写明游客不满意的地方。",
    "Already closed.": "已经关闭。", "Before the incident happened.": "早于事发时间。",
    "Please correct the marked fields.": "请修改标出的栏目。",
    "That step does not fit where this record stands now.": "该记录当前的状态不能进行这一步。",
    "Your role may not do this.": "您的角色无权进行此操作。", "No such record.": "没有这条记录。",
    "Start a handover": "开始交接班", "Shift": "班次", "(e.g. day → evening)": "（如：早班 → 中班）",
    "Open cases and the lost property held are listed by the system; add what else the next shift must know.":
        "未结案件和在存失物由系统列出；请补充下一班需要知道的其他事项。",
    "Other items held": "其他交接物品", "Notes for the next shift": "交接事项", "Handovers": "交接班记录",
    "Started": "开始时间", "Outgoing": "交班人", "Incoming": "接班人", "signed by both": "双方已签字",
    "waiting for the incoming staff": "等待接班人签字", "being checked": "检查中", "No handovers yet": "还没有交接班记录",
    "Items held": "交接物品", "Signatures": "签字",
    "Not signed: every line must be ticked, or crossed with an explanation.": "未能签字：每一项都须打 √，或打 × 并写明原因。",
    "Signed by both: {a} and {b}.": "双方已签字：{a} 和 {b}。", "Sign as outgoing staff": "交班人签字",
    "{name} signs first, with their own login.": "须由 {name} 用自己的账号先签字。",
    "Sign as incoming staff": "接班人签字", "Signed. The incoming staff sign with their own login.": "已签字。接班人须用自己的账号签字。",
    "PA check": "广播设备检查", "The system asks every zone's player and speaks a sentence in every venue language.":
        "系统询问每个分区的播放器，并用每种场馆语言播读一句话。",
    "Run the PA check": "运行广播检查", "Play a test tone": "播放测试音", "Checklist": "检查项目", "Check": "检查项",
    "Explanation": "说明", "by the system": "系统检查", "on request": "按需", "not run yet": "未运行",
    "Save the checklist": "保存检查项目", "Signed.": "已签字。", "Test tone requested: listen in the zone.": "已请求测试音，请在该分区收听。",
    "Work desk tidy": "工作台已整理", "Work log read by the incoming staff": "接班人已阅读工作日记",
    "Key cabinet checked": "钥匙柜已核对", "Lost-property store matches the register": "失物与登记相符",
    "Radios and phones charged": "对讲机、电话已充电", "Zone {zone}: its player answers": "分区 {zone}：播放器应答",
    "Speech in {language}": "{language}语音播报", "Test tone in zone {zone}": "分区 {zone} 测试音",
    "Mandarin": "普通话", "Mandarin (traditional)": "普通话（繁体）", "English": "英语", "Russian": "俄语",
    "Cantonese": "粤语", "Japanese": "日语", "Korean": "韩语",
    "no player for this zone": "该分区没有播放器", "the player answers, its sound device has a fault": "播放器应答，但音频设备故障",
    "the player answers": "播放器应答", "the player does not answer": "播放器无应答",
    "no speech engine in this installation": "本系统没有语音引擎", "could not speak": "无法播读", "only silence": "只有静音",
    "speaks": "播读正常", "did not air": "未能播出",
    "Not checked yet.": "尚未检查。", "Crossed: say why, or what was done about it.": "已打 ×：请写明原因或处理情况。",
    "Number of cases": "数量", "Resolved": "已解决", "Median time to resolve": "解决用时（中位数）", "Children": "儿童",
    "Reunited": "已团聚", "Reunited within 10 minutes": "10 分钟内团聚", "Reunited within 30 minutes": "30 分钟内团聚",
    "Closed cases": "已结案", "Taken to hospital": "送医", "Follow-up visits made": "已回访",
    "Satisfaction with the result (average, 1-5)": "对处理结果满意度（平均，1-5）",
    "Staff attitude (average, 1-5)": "服务态度（平均，1-5）", "Timeliness (average, 1-5)": "及时性（平均，1-5）",
    "minutes": "分钟", "hours": "小时", "days": "天", "Cases per kind": "各类案件数量", "Complaint categories": "投诉类别",
    "Missing persons reunited": "寻人团聚情况", "within 10 minutes": "10 分钟内", "within 30 minutes": "30 分钟内",
    "Follow-up satisfaction (average, 1-5)": "回访评价（平均，1-5）", "Satisfaction": "满意度", "Attitude": "服务态度",
    "Use a month like 2026-11.": "请按 2026-11 的格式填写月份。", "Month": "月份", "Case kind": "案件类型",
    "Measure": "统计项", "Value": "数值", "Visitor services: monthly report {month}": "客服工作月度统计 {month}",
    "Show": "显示", "Download CSV": "下载 CSV", "Printable PDF": "打印版 PDF", "median": "中位数", "All figures": "全部数据",
    "Channel": "投诉方式",
    "Signing saves the checklist as it stands.": "签字时会同时保存当前的检查项目。",
    # cases end
    # desk: the desk's, setup's and schedule form's strings are in web/i18n_desk.py (DESK_ZH)
    # week (issue 14: versions of scheduled scripts, programmes, the week's calendar file)
    "Version {n} is waiting for approval. Until it is approved, version {m} keeps airing in the schedule.":
        "第 {n} 版正在等待审批。审批通过之前，排期中继续播出第 {m} 版。",
    "Upcoming slots air this announcement:": "以下即将到来的时段会播出这条广播：",
    "and {n} more": "另有 {n} 个",
    "Saving a change makes a new version that another supervisor must approve. Until then these slots keep "
    "airing the approved version.": "保存修改会生成新版本，需由另一位主管审批。审批通过之前，这些时段继续播出已审批的版本。",
    "This announcement is not approved: these slots will not air it until a supervisor approves it.":
        "这条广播尚未审批：主管审批之前，这些时段不会播出它。",
    "Saved. The new version needs approval; until then the approved version keeps airing in {n} upcoming slots.":
        "已保存。新版本需要审批；审批通过之前，接下来的 {n} 个时段继续播出已审批的版本。",
    "Import a calendar": "导入日历", "Calendar file": "日历文件", "Download this week (.ics)": "下载本周日历（.ics）",
    "A calendar file (.ics) exported from Google Calendar, Outlook or this system. Each event airs the programme "
    "its title names, or the programme you choose below. You will see every change before anything is saved.":
        "从 Google 日历、Outlook 或本系统导出的日历文件（.ics）。每个日程播出与其标题同名的节目，否则播出下面选择的节目。"
        "保存之前会先列出全部改动。",
    "Programme for events whose title names none": "标题不是节目名的日程播出的节目",
    "Show what will change": "查看将要做的改动",
    "This file will make these changes. Nothing is saved until you confirm.": "此文件将做以下改动。确认之前不会保存任何内容。",
    "New rule": "新规则", "Changes a rule": "修改规则", "No change": "无改动", "Event": "日程", "When": "时间",
    "Change": "改动", "was": "原为", "Confirm the import": "确认导入", "Cancel": "取消",
    "Some events name no programme: choose the programme they air.": "有些日程的标题不是节目名：请选择它们播出的节目。",
    "This calendar file cannot be imported: {why}": "无法导入此日历文件：{why}",
    "Choose the calendar file (.ics) to import.": "请选择要导入的日历文件（.ics）。",
    "The file is too large for a calendar.": "文件太大，不是日历文件。",
    "Calendar imported: {added} new rules, {changed} changed.": "日历已导入：新增 {added} 条规则，修改 {changed} 条。",
    "New programme": "新建节目", "Edit programme": "编辑节目", "Pieces": "内容", "Piece": "内容",
    "Announcements": "广播稿", "Chimes": "提示音", "Playlists": "播放列表", "Silence": "静音", "recording": "录音",
    "Sound file": "声音文件", "{n} tracks": "{n} 首", "Programme chime": "节目提示音",
    "Announcement chime": "广播提示音", "Urgent page chime": "紧急寻人提示音", "Emergency chime": "紧急提示音",
    "Length in seconds (silence; a playlist: how long to play)": "时长（秒）（静音；播放列表：播放多久）",
    "Length": "时长", "Total length": "总时长", "Move piece {n} up": "第 {n} 项上移",
    "Move piece {n} down": "第 {n} 项下移", "Remove piece {n}": "删除第 {n} 项", "Add a piece": "添加内容",
    "Update lengths": "更新时长", "Description": "说明", "Add at least one piece.": "请至少添加一项内容。",
    "Delete programme": "删除节目", "Programme deleted.": "节目已删除。",
    "These rules schedule this programme. Deleting it deletes them too:": "以下规则排播了这个节目，删除节目会同时删除这些规则：",
    "No rule schedules this programme.": "没有规则排播这个节目。",
    "Delete the programme and its rules": "删除节目及其规则", "Delete the programme": "删除节目",
    "choose a piece": "请选择内容", "a number of seconds": "请填写秒数", "more than 0 seconds": "请填写大于 0 的秒数",
    "how many seconds of silence": "请填写静音的秒数",
    "Aired": "已播出", "Interrupted": "被打断", "Missed": "漏播", "Refused": "被拒播", "Waiting": "等待播出",
    "On air now": "正在播出", "Today": "今天", "Now": "现在", "Next 24 hours": "未来 24 小时", "Nothing scheduled in the next 24 hours.": "未来 24 小时没有排播。",
    "Will not air": "将无法播出", "not approved: {name}": "未审批：{name}", "empty playlist: {name}": "播放列表为空：{name}",
    "the programme was deleted": "节目已删除",
    "refused: an announcement in it is no longer approved with this audio": "被拒播：其中的广播已不再以此音频获批",
    "the system was not running": "系统当时未运行", "it could not air in time": "未能按时播出",
    "it could not be played": "无法播放", "cut short": "被中断",
    "nothing was prepared for it (was the system running?)": "没有为它准备播出（系统当时在运行吗？）",
    "Listen to the saved programme": "试听已保存的节目",
    "Playlist": "播放列表", "Level of {title} along its length": "《{title}》的音量起伏", "Move {title} up": "上移《{title}》",
    "Move {title} down": "下移《{title}》", "Remove {title}": "删除《{title}》", "Remove": "删除", "Rename": "改名",
    "Give the playlist a name that no other playlist has.": "请给播放列表起一个与其他列表不同的名字。",
    "Delete playlist": "删除播放列表", "Played by these programmes:": "以下节目在播放它：",
    "This is the playlist's only track: delete the playlist instead.": "这是播放列表中唯一的曲目：请改为删除整个播放列表。",
    "Programmes play this playlist: take it out of them first.": "有节目在播放这个列表：请先把它从这些节目中移除。",
    "Track removed.": "曲目已删除。", "Playlist deleted.": "播放列表已删除。",
    "Add a slot": "添加时段", "Add a slot on {day}": "在 {day} 添加时段",
    # schedule: the week as a time grid, slot lengths, track loudness, calendar import errors (issue 14, week)
    "Click a time to add a slot there. Drag a slot to move it; drag its lower edge to change how long it lasts. From the keyboard: a slot's “Move” link.":
        "点击某个时间即可在该处添加时段。拖动时段可移动它；拖动其下边缘可改变时长。使用键盘：点时段的“移动”链接。",
    "Day": "日期",  # desk: weekday names come from Babel (web.views.day_name)
    "Drag to change how long it lasts": "拖动以改变时长", "Length (minutes)": "时长（分钟）",
    "Changes the programme: all its slots last as long.": "会修改节目本身：它的所有时段都会是这个时长。",
    "Save the length": "保存时长", "Give the length in minutes.": "请填写时长（分钟）。",
    "This slot is no longer in the schedule.": "这个时段已不在节目表中。",
    "“{name}” now lasts {n} min, in every slot.": "“{name}”现在每个时段都播 {n} 分钟。",
    "This programme cannot last {n} min: {why}": "这个节目不能播 {n} 分钟：{why}",
    "its other pieces need at least {n} min": "其他内容至少需要 {n} 分钟",
    "its music lasts only {n} min": "它的音乐只有 {n} 分钟",
    "its pieces have fixed lengths; add music or silence to it in the programme editor":
        "它的内容时长固定；请在节目编辑中加入音乐或静音",
    "loudness not measured: plays as recorded": "未测量响度：按原音量播放",
    "{lufs} LUFS, at the venue's level": "{lufs} LUFS，已是场馆标准响度",
    "{lufs} LUFS, lowered {db} dB": "{lufs} LUFS，已调低 {db} dB",
    "{lufs} LUFS or quieter, raised {db} dB": "{lufs} LUFS 或更轻，已调高 {db} dB",
    "No programme is called “{event}”: choose the programme its events air.": "没有名为“{event}”的节目：请选择这些活动播出的节目。",
    "event “{event}”: {why}": "活动“{event}”：{why}",
    "it lasts all day ({detail}): give it a time of day": "这是全天活动（{detail}）：请给它一个具体时间",
    "it has more than one repeat rule": "它有不止一条重复规则",
    "it repeats {detail}: only events that repeat every day or every week can be imported": "它{detail}重复一次：只能导入每天或每周重复的活动",
    "it repeats every few days or weeks: only every day or every week can be imported": "它隔几天或几周重复一次：只能导入每天或每周重复的活动",
    "it repeats on days such as “{detail}” (the first Monday…): only plain weekdays can be imported": "它在“{detail}”这类日期重复（如每月第一个周一）：只能导入普通的星期几",
    "its repeat rule uses {detail}, which this system cannot schedule": "它的重复规则用到了 {detail}，本系统无法排播",
    "it has no start time": "它没有开始时间",
    "it has extra dates (RDATE): make each of them an event of its own": "它带有额外日期（RDATE）：请把每个日期做成单独的活动",
    "its dates do not make a schedule (does it end before it starts?)": "它的日期无法排成节目表（是否结束早于开始？）",
    "this is not a calendar file (.ics)": "这不是日历文件（.ics）", "the file is damaged, or not a calendar file": "文件已损坏，或不是日历文件",
    "the file has no events": "文件里没有活动",
    "every month": "每月", "every year": "每年", "every hour": "每小时", "every minute": "每分钟", "every second": "每秒",
    # approvals in the supervisors' words (issue 14, week)
    "Version": "版本", "version {n}, new": "第 {n} 版（新稿）",
    "version {n}, replaces version {old} on air": "第 {n} 版，替换正在播出的第 {old} 版",
    "version {n}, replaces version {old}": "第 {n} 版，替换第 {old} 版",
    "normal": "普通", "high": "较高", "urgent": "紧急", "script": "文稿",
    "all_clear": "解除", "security": "安保", "lost_property": "失物招领",
    "Move a slot": "移动时段", "Only this slot moves; the rule's other days stay as they are.": "只移动这一个时段，规则的其他日期不变。",
    "New day": "新日期", "New time": "新时间", "Move": "移动", "Slot moved.": "时段已移动。",
    "Choose the day.": "请选择日期。", "Choose the time.": "请选择时间。",
    "This slot cannot be moved there.": "无法把这个时段移到那里。",
    # week end
    # sessions and security log (issue 12)
    "Security log": "安全日志",
    "Log-ins, locked accounts, password and account changes, and approvals, newest first.":
        "登录、账户锁定、密码与账户变更以及审批记录，最新的在前。",
    "What happened": "事件", "Everything": "全部", "From date": "起始日期", "To date": "截止日期",
    "Account": "账户", "Details": "详情", "From address": "来源地址", "system": "系统",
    "Nothing found.": "没有找到记录。", "Only the newest {n} are shown: narrow the search.": "只显示最新的 {n} 条，请缩小查找范围。",
    "version {n}": "第 {n} 版", "choose a date": "请选择日期", "the last day is before the first": "截止日期早于起始日期",
    "API": "接口",
    "Log staff out after this many minutes unused": "员工登录闲置多少分钟后自动退出",
    "a whole number of minutes from 5 to 720": "请填写 5 到 720 之间的整数分钟",
    "Logged in": "登录", "Failed log-in": "登录失败", "Account locked after failed log-ins": "登录失败过多，账户已锁定",
    "Desk locked after failed log-ins": "登录失败过多，该地址已锁定", "Logged out": "退出登录",
    "Signed out after being idle": "闲置超时，已自动退出", "Changed own password": "修改了自己的密码",
    "Password set by an admin": "管理员设置了密码", "Account added": "新增账户", "Account switched off": "停用账户",
    "Account switched on": "启用账户", "Announcement approved": "批准广播稿", "Announcement rejected": "退回广播稿",
    "Page approved": "批准寻人广播", "Page rejected": "退回寻人广播",
    # sessions end
    # (roles) an admin changes a user's role (issue 12)
    "Role changed": "角色变更", "from {old} to {new}": "由{old}改为{new}", "Change role": "更改角色",
    "Role of {name}": "{name}的角色", "{name} is now {role}.": "{name}现在是{role}。",
    "this is the last admin: make another user an admin first": "这是最后一位管理员：请先让另一位用户成为管理员",
    # (roles) end
    # sound (issue 13): the venue's chimes, the as-run log's playback
    "Chime": "提示音", "Sound": "声音",
    "Before announcements": "一般广播前", "Before urgent pages": "紧急寻人广播前", "Before emergencies": "紧急情况广播前",
    "Before programmes": "节目前", "After an announcement": "广播结束后",
    "The chime rings before each announcement so visitors know what follows. You may replace any chime with the venue's own sound.":
        "每条广播前都会响起提示音，让游客知道接下来的内容。任何提示音都可以换成本场馆自己的声音。",
    "The venue's own": "本场馆的", "Built-in": "系统自带", "Back to the built-in chime": "恢复系统自带提示音",
    "Listen before you use it": "启用前请先试听",
    "This is how the new chime will ring, trimmed, faded and set to the venue's level.":
        "新提示音播出时就是这样（已去掉首尾静音、加上淡入淡出并调到本场馆音量）。",
    "Use this chime": "启用此提示音", "Choose another file": "换一个文件",
    "Upload the venue's own chime": "上传本场馆的提示音",
    "A WAV, FLAC, OGG or MP3 file with 0.3 to 8 seconds of sound. You will hear it before it is used.":
        "WAV、FLAC、OGG 或 MP3 文件，声音长 0.3 到 8 秒。启用前可以先试听。",
    "Which chime it replaces": "替换哪个提示音", "Sound file": "声音文件", "Check and listen": "检查并试听",
    "Choose which chime to replace.": "请选择要替换的提示音。", "Choose a sound file.": "请选择一个声音文件。",
    "This file is silent.": "这个文件没有声音。",
    "The sound lasts {s} s; a chime needs at least {min} s.": "声音只有 {s} 秒；提示音至少要 {min} 秒。",
    "The sound is too long; a chime may last at most {max} s.": "声音太长；提示音最长 {max} 秒。",
    "This file is not a sound file this system can read (use WAV, FLAC, OGG or MP3).":
        "系统无法读取这个文件（请使用 WAV、FLAC、OGG 或 MP3）。",
    "The new chime is in use: {name}.": "新提示音已启用：{name}。",
    "The built-in chime is back: {name}.": "已恢复系统自带提示音：{name}。",
    "As aired": "实际播出", "Hear what the public heard": "收听当时播出的声音", "Not recorded": "未录音",
    "The air recording of this item is not kept": "此条目的播出录音未保存",
    # sound end
    # input checks (broadcaster.inputs, issue 12)
    "must be text": "须为文字", "must be yes or no (true or false)": "须为是或否",
    "must be an object (name -> value)": "须为“名称 → 内容”的对象", "must be a list": "须为列表",
    "not a field of this form": "本表单没有此栏", "expected a JSON object": "须为 JSON 对象", "not valid JSON": "JSON 格式错误",
    "give at least one": "至少填写一项", "too many entries": "条目过多", "not in the expected form": "格式不对",
    "holds a control or invisible character; type the text again": "含有控制字符或不可见字符，请重新输入",
    "nothing to say: write words, not only signs or emoji": "没有可播读的内容：请写文字，不要只用符号或表情",
    "use HH:MM or YYYY-MM-DDTHH:MM, e.g. 14:30": "请用 时:分 或 年-月-日T时:分，例如 14:30",
    "use a date like 2026-11-26": "请用 2026-11-26 这样的日期", "zone names are letters, digits, - and _":
    "区域名只能用字母、数字、- 和 _", "a language tag such as zh-CN or en": "语言代码，例如 zh-CN 或 en",
    "the audio's SHA-256 (64 hex digits)": "音频的 SHA-256（64 位十六进制）",
    # input checks end
}

from web.i18n_desk import DESK_ZH  # noqa: E402 (desk, issue 11)

ZH.update(DESK_ZH)
TRANSLATIONS = {"zh": ZH}

bp = Blueprint("i18n", __name__)


def current_language() -> str:
    """The session's choice, else the browser's; worked out once per request (pages ask often)."""
    lang = g.get("pa_lang")
    if lang is None:
        lang = session.get("lang")
        if lang not in LANGUAGES:
            lang = (request.accept_languages.best_match(list(LANGUAGES)) if request else None) or "en"
        g.pa_lang = lang
    return lang


def t(text: str, **values) -> str:
    """Translate ``text`` into the current language; ``{name}`` placeholders are filled after."""
    table = TRANSLATIONS.get(current_language(), {})
    out = table.get(text, text)
    if table and text not in table and current_app.config.get("I18N_MISSING") is not None:  # desk: tests
        current_app.config["I18N_MISSING"].add(text)
    return out.format(**values) if values else out


@bp.get("/lang/<code>")
def switch(code: str):
    if code in LANGUAGES:
        session["lang"] = code
        g.pop("pa_lang", None)
    target = request.referrer or ""
    # only ever go back to a page of this site (no open redirect)
    host = request.host_url
    return redirect(target if target.startswith(host) else url_for("dashboard.index"))


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(_=t, current_language=current_language, LANGUAGES=LANGUAGES)

    @app.context_processor
    def _translator() -> dict:
        """``_`` bound to this request's language once per page (pages call it dozens of times)."""
        table = TRANSLATIONS.get(current_language(), {})
        # desk: tests set I18N_MISSING to a set and see every string a page asked for that has no translation
        missing = app.config.get("I18N_MISSING") if table else None

        def _(text: str, **values) -> str:
            out = table.get(text, text)
            if missing is not None and text not in table and text:
                missing.add(text)
            return out.format(**values) if values else out

        return {"_": _}
