//! The interface's own words in both languages (RX.5). Policy words (states, actions, fields)
//! come from the policy file; these are the frame's.

use domain::Lang;

/// (key, 中文, English)
pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "app",
        "统筹 · 数字政府项目统筹管理平台",
        "Tongchou · Digital Government Project Platform",
    ),
    ("app_short", "统筹", "Tongchou"),
    ("login", "登录", "Log in"),
    ("logout", "退出", "Log out"),
    ("username", "用户名", "Username"),
    ("password", "密码", "Password"),
    (
        "login_failed",
        "用户名或密码错误，或账户已被锁定。连续输错 5 次将锁定 30 分钟。",
        "Wrong username or password, or the account is locked. Five wrong attempts lock it for 30 minutes.",
    ),
    (
        "username_too_long",
        "用户名不超过 64 个字符。",
        "A username has at most 64 characters.",
    ),
    (
        "login_required",
        "请填写用户名和密码。",
        "Enter your username and password.",
    ),
    (
        "session_ended",
        "会话已结束，请重新登录。",
        "Your session has ended; please log in again.",
    ),
    ("nav_home", "工作台", "Workbench"),
    ("menu", "菜单", "Menu"),
    ("no_page", "页面不存在", "Page not found"),
    (
        "no_page_hint",
        "没有找到您要打开的页面或事项（可能已被撤回，或您无权查看）。请从工作台或左侧菜单进入。",
        "The page or item you asked for is not here (it may have been withdrawn, or you may not see it). Start from the workbench or the menu.",
    ),
    ("nav_system", "系统管理", "Administration"),
    ("todo", "待办", "To do"),
    ("done", "已办", "Done"),
    ("mine", "我发起的", "Started by me"),
    ("cc", "抄送我的", "Copied to me"),
    ("handling", "转办 · 抄送 · 催办", "Hand over · Copy · Urge"),
    ("hand_over", "转办", "Hand over"),
    ("hand_over_to", "接办同事", "Colleague"),
    ("hand_over_reason", "转办理由", "Reason"),
    (
        "hand_over_hint",
        "转交本单位同一岗位的同事办理，记入审批记录；转办后由其办理，直至事项进入下一步。",
        "Hand it to a colleague in your post; it is recorded, and they take the next step.",
    ),
    (
        "hand_over_confirm",
        "转办后此事项由所选同事办理，您将不能再办理此步骤。确定转办？",
        "Once handed over, the colleague takes this step and you no longer can. Hand over?",
    ),
    ("copy", "抄送", "Copy"),
    ("copy_users", "抄送人员", "People"),
    ("copy_orgs", "抄送单位", "Units"),
    (
        "copy_hint",
        "被抄送的人员或单位在「抄送我的」中看到此事项；只列出有权查看的人员和单位。可按住 Ctrl 多选。",
        "They find it under Copied to me; only people and units who may read it are listed. Hold Ctrl to choose several.",
    ),
    ("urge", "催办", "Urge"),
    (
        "urge_hint",
        "此事项已逾期：催办记入审批记录，并显示在办理人的待办中。",
        "This item is overdue: the urge is recorded and shown in the holder's to-do list.",
    ),
    ("note", "说明", "Note"),
    ("choose", "请选择", "Choose"),
    ("handed_over_by", "转办自", "Handed over by"),
    ("urged", "催办", "Urged"),
    ("copied_by", "抄送人", "Copied by"),
    ("ranking", "需求评分排名", "Demands ranked by score"),
    (
        "ranking_hint",
        "按市政务大数据中心出具编制意见时给出的必要性、可行性、效益评分排序（评分可选，未评分的排在最后）；点击列名按该项排序，默认按总分。",
        "Ranked by the Data Center's necessity, feasibility and benefit scores (optional; unscored last); click a column to sort by it, by default by the total.",
    ),
    ("rank", "排名", "Rank"),
    ("total_score", "总分", "Total"),
    ("opinion", "编制意见", "Opinion"),
    ("delegation_title", "委托办理", "Delegation"),
    (
        "delegation_hint",
        "休假或外出期间，可委托本单位同一岗位的同事办理：您手中转办给您的事项立即转给受托同事，委托期间再转办给您的事项也自动转给他（她），均记入各事项的审批记录；岗位共享的待办，同岗位同事本来就能办理。",
        "While you are away, a colleague of your post takes your items: what was handed to you goes to them now, and what is handed to you until the last day goes on to them, each recorded on its item; the post's shared to-do list they see anyway.",
    ),
    ("delegation_ends", "委托至（含当日）", "Until (inclusive)"),
    ("delegation_reason", "委托理由", "Reason"),
    ("delegation_submit", "委托", "Delegate"),
    ("delegation_end", "结束委托", "End the delegation"),
    (
        "delegation_ended",
        "委托已结束，此后转办给您的事项由您本人办理。",
        "Ended; items handed to you from now on are yours again.",
    ),
    (
        "delegation_bad_day",
        "请选择委托截止日期。",
        "Choose the last day.",
    ),
    (
        "delegation_nobody",
        "本单位没有与您同一岗位的其他同事，无法委托。",
        "Nobody else in your unit holds your role, so there is no one to delegate to.",
    ),
    ("item", "事项", "Item"),
    ("asked", "待办事项", "What is asked"),
    ("asked_by", "发起单位", "Raised by"),
    ("deadline", "期限", "Deadline"),
    ("state", "状态", "State"),
    ("number", "编号", "Number"),
    ("title", "名称", "Title"),
    ("unit", "单位", "Unit"),
    ("budget_wan", "预算（万元）", "Budget (10k yuan)"),
    ("updated", "更新时间", "Updated"),
    ("actions", "操作", "Actions"),
    ("view", "查看", "View"),
    ("handle", "办理", "Handle"),
    ("empty", "暂无数据", "Nothing here"),
    ("search", "查询", "Search"),
    ("reset", "重置", "Reset"),
    ("all", "全部", "All"),
    ("keyword", "关键字", "Keyword"),
    ("year", "年度", "Year"),
    ("new", "新增", "New"),
    ("export", "导出", "Export"),
    ("total", "共", "Total"),
    ("items_unit", "条", "items"),
    ("prev", "上一页", "Previous"),
    ("next", "下一页", "Next"),
    ("page", "第", "Page"),
    ("page_unit", "页", ""),
    ("save_draft", "暂存", "Save draft"),
    ("colon", "：", ": "),
    ("paren_open", "（", " ("),
    ("paren_close", "）", ")"),
    (
        "refused_next",
        "请按上述说明处理后，在下方重新办理；已保存的内容均未改变。",
        "Do what it says, then take the step again below; nothing saved was changed.",
    ),
    ("bell_title", "待办提醒", "Tasks awaiting you"),
    ("bell_todo", "待办", "To do"),
    ("bell_overdue", "已逾期", "Overdue"),
    ("bell_none", "暂无待办", "Nothing awaits you"),
    ("bell_all", "查看全部待办", "See all tasks"),
    (
        "attach_on_create",
        "可选择多个文件，随表单一并保存；PDF、OFD、Word（.docx）、Excel（.xlsx）、PNG、JPG，合计不超过 20 MB。表单未通过检查时，已选的文件会保留在此处。",
        "Choose one or more files; they are saved with the form. PDF, OFD, Word (.docx), Excel (.xlsx), PNG or JPG, up to 20 MB in all. If the form is refused, the chosen files stay here.",
    ),
    ("attach_kept", "已保留", "kept"),
    ("attach_choose", "选择文件", "Choose files"),
    ("save", "保存", "Save"),
    ("submit", "提交", "Submit"),
    ("cancel", "取消", "Cancel"),
    ("confirm", "确定", "Confirm"),
    ("confirm_title", "请确认", "Please confirm"),
    ("back", "返回", "Back"),
    ("milestone", "里程碑", "Milestone"),
    ("planned", "计划完成", "Planned"),
    ("reached", "实际完成", "Reached"),
    ("variance", "偏差", "Variance"),
    ("required_mark", "为必填项", "is required"),
    ("basic_info", "基本信息", "Details"),
    ("approval_record", "审批记录", "Approval record"),
    ("who", "办理人", "By"),
    ("org", "单位", "Organisation"),
    ("role", "角色", "Role"),
    ("time", "时间", "Time"),
    ("decision", "办理结果", "Step"),
    ("opinion_text", "意见", "Opinion"),
    ("basis", "依据", "Basis"),
    ("available_actions", "可办理的操作", "What you can do"),
    (
        "no_actions",
        "当前没有需要您办理的操作。",
        "Nothing for you to do on this item now.",
    ),
    ("edit", "修改", "Edit"),
    ("policy_version", "适用制度版本", "Rules version"),
    ("created", "创建时间", "Created"),
    ("due", "办理期限", "Due"),
    ("days_left", "剩余 {} 个工作日", "{} working days left"),
    ("overdue", "已逾期 {} 个工作日", "{} working days overdue"),
    ("version_left", "左侧版本", "Left"),
    ("version_right", "右侧版本", "Right"),
    ("compare", "比较", "Compare"),
    ("part", "内容", "Part"),
    ("import", "导入", "Import"),
    ("nav_mod_demand", "需求征集", "Demands"),
    ("nav_mod_plan", "年度计划", "Annual plan"),
    ("nav_mod_build", "项目建设", "Construction"),
    ("nav_mod_ops", "运维管理", "Operations"),
    ("nav_mod_security", "安全管理", "Security"),
    ("nav_mod_funds", "资金管理", "Funds"),
    ("nav_audit", "审计", "Audit"),
    ("nav_funds_report", "资金报表", "Funds report"),
    ("funds_report_title", "资金报表", "Funds report"),
    ("report_by_project", "按项目", "By project"),
    ("report_by_unit", "按使用单位", "By unit"),
    ("report_by_year", "按项目年度", "By the projects' year"),
    ("report_project", "项目", "Project"),
    ("report_year", "年度", "Year"),
    ("report_projects", "项目数", "Projects"),
    ("report_budget", "批复预算（元）", "Approved budget (yuan)"),
    ("report_committed", "已签约（元）", "Contracted (yuan)"),
    (
        "report_disbursed",
        "已申请拨付（元）",
        "Payments asked for (yuan)",
    ),
    ("report_paid", "已支付（元）", "Paid (yuan)"),
    ("report_left", "剩余（元）", "Left (yuan)"),
    ("report_used", "申请拨付占预算", "Asked for, of the budget"),
    ("report_sources", "按资金来源", "By source"),
    ("report_total", "合计", "Total"),
    (
        "report_help",
        "已申请拨付含审核中的申请；剩余为批复预算减已申请拨付。与各项目页“执行情况”同一口径。",
        "Payments asked for include those under review; what is left is the approved budget less them, as on each project's page.",
    ),
    (
        "nav_audit_package",
        "导出审计数据包",
        "Export the audit package",
    ),
    ("audit_package_file", "审计数据包", "audit-package"),
    ("all_units", "全部单位", "All units"),
    ("reminder", "征集提醒", "Campaign reminder"),
    ("due_today", "今日到期", "due today"),
    ("refused", "未能办理", "This step was not taken"),
    ("refused_why", "原因", "Why"),
    ("article_basis", "依据条款", "Under"),
    (
        "fix_fields",
        "请修改以下各项：",
        "Please correct these fields:",
    ),
    (
        "not_found",
        "没有找到该事项，或您无权查看。",
        "No such item, or you may not see it.",
    ),
    (
        "conflict",
        "该事项刚被他人办理，页面已更新，请确认后重试。您填写的内容未丢失。",
        "Someone else has just acted on this item; please check and try again. Nothing you typed was lost.",
    ),
    (
        "reveal_masked",
        "已脱敏显示。如因工作需要查看完整信息，请填写理由：",
        " is shown masked. To see it whole for your work, give a reason:",
    ),
    (
        "reveal_reason",
        "查看理由（将被记录）",
        "Reason (it is recorded)",
    ),
    ("reveal_button", "查看完整信息", "Show in full"),
    (
        "reveal_recorded",
        "本次查看已记入安全审计记录，理由：",
        "This viewing is recorded in the security record; reason: ",
    ),
    (
        "key_reused",
        "这个页面（或请求）已经提交过一次，这次提交的内容不同，未作任何更改。请刷新页面后重新操作。",
        "This page (or request) was already sent once; this time its content differs, so nothing was changed. Reload the page and try again.",
    ),
    (
        "unavailable",
        "系统暂时无法保存（存储空间不足或存储故障），本次操作未生效，已填写的内容未丢失。请稍后重新提交；如持续出现请联系系统管理员。",
        "The platform cannot save right now (storage full or failing); nothing was changed and nothing you typed was lost. Please submit again in a little while; if this persists, tell the system administrator.",
    ),
    (
        "server_error",
        "系统繁忙，请稍后再试。如持续出现请联系系统管理员。",
        "Something went wrong on our side; please try again later.",
    ),
    (
        "csrf",
        "页面已过期，请刷新后重试。",
        "The page has expired; reload it and try again.",
    ),
    ("lang_switch", "English", "中文"),
    ("home_crumb", "首页", "Home"),
    ("new_demand", "新建需求方案", "New demand plan"),
    (
        "demand_hint",
        "依据第十三条第二款，需求方案须写明解决的问题、使用范围、功（性）能要求、功能逻辑，必要时提供技术路线要求。提交后即冻结，不得修改。",
        "Under art. 13(2) a demand plan states the problem, scope of use, functional and performance requirements and function logic, and a technical route where needed. Once submitted it is frozen.",
    ),
    ("steps", "流程", "Lifecycle"),
    (
        "admin_home",
        "管理员不办理业务事项（三员分立）。请从左侧“系统管理”进入您的工作。",
        "Administrators handle no business items (separation of the three administrators). Your work is under Administration on the left.",
    ),
    ("history_empty", "暂无记录", "No record yet"),
    ("count_suffix", "项", ""),
];

/// Looks up the interface's words in one language.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn s(&self, key: &str) -> &'static str {
        let all = STRINGS.iter().chain(crate::pages::admin::WORDS);
        match all.into_iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self.0 {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => "",
        }
    }

    /// A string with `{}` replaced by `n`.
    pub fn n(&self, key: &str, n: i64) -> String {
        self.s(key).replace("{}", &n.to_string())
    }

    /// `x` in brackets as the language writes them: （x） in Chinese, " (x)" in English.
    pub fn paren(&self, x: &str) -> String {
        format!("{}{x}{}", self.s("paren_open"), self.s("paren_close"))
    }

    /// `label: value` with the language's colon (：in Chinese).
    pub fn labelled(&self, label: &str, value: &str) -> String {
        format!("{label}{}{value}", self.s("colon"))
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }
}
