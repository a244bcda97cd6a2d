"""A small dict-based i18n: English keys, Chinese translations. ``t("Dashboard")`` in views and
``{{ _("Dashboard") }}`` in templates. The language comes from the session (``/lang/<code>``), else the
browser's Accept-Language, else English."""
from __future__ import annotations

from flask import Blueprint, g, redirect, request, session, url_for

LANGUAGES = {"en": "English", "zh": "中文"}

ZH: dict[str, str] = {
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
    "Found child": "儿童招领",
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
    "missing": "寻人", "found": "招领",
    "open": "开立", "paged": "已发起广播", "escalated": "已升级", "reunited": "已团聚", "closed": "已结案",
    "stored": "存放中", "claimed": "已认领", "handed_over": "已交还",
    "pending": "待审批", "approved": "已批准", "retired": "已停用",
    "draft": "草稿", "submitted": "已提交", "rejected": "已驳回",
    "admin": "管理员", "desk": "服务台", "supervisor": "主管", "broadcaster": "播音员",
}

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
    out = TRANSLATIONS.get(current_language(), {}).get(text, text)
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

        def _(text: str, **values) -> str:
            out = table.get(text, text)
            return out.format(**values) if values else out

        return {"_": _}
