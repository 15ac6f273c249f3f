//! The demo's year of demands: this year's campaign and demands in every state of art. 13.

use crate::{act, principal};
use app::items::{Command, create, perform};
use app::{AppError, Platform};
use domain::Input;

/// (clerk, title, problem, scope, functions, logic, budget yuan, benefits, where it ends)
type DemandRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const DEMANDS: &[DemandRow] = &[
    (
        "zrzy.clerk",
        "不动产登记“一网通办”系统升级",
        "不动产登记需群众在税务、住建、不动产登记窗口之间往返提交材料，平均办理时长5个工作日。",
        "市不动产登记中心及13个县（市、区）登记分中心，窗口人员约420人，年办件量约28万件。",
        "支持线上申请、电子证照调用、税费一次缴清；高峰并发500，单件审核页面响应不超过2秒。",
        "申请→受理→审核→登簿→缮证→发证，税务、住建数据通过共享交换平台实时核验。",
        "3860000",
        "办理时长由5个工作日压缩至1个工作日，减少群众跑动约56万人次/年。",
        "accept",
    ),
    (
        "wjw.clerk",
        "智慧急救调度指挥平台",
        "120急救调度依靠电话和人工派车，无法实时掌握车辆位置和医院床位。",
        "市急救中心、28家网络医院、120辆急救车。",
        "来电定位、智能派车、车载视频回传、医院床位实时查询；7×24小时运行，可用性99.9%。",
        "来电受理→定位→派车→途中监护→院前院内交接→回车。",
        "5200000",
        "平均反应时间缩短3分钟。",
        "under_analysis",
    ),
    (
        "jyj.clerk",
        "中小学智慧校园统一身份认证平台",
        "各学校业务系统账号分散，师生需记忆多套账号密码。",
        "全市中小学1,260所，师生约150万人。",
        "统一身份认证、单点登录、家校通知；峰值并发2万。",
        "账号注册→实名核验→授权→单点登录→审计。",
        "2450000",
        "减少重复建设，统一数据口径。",
        "submitted",
    ),
    (
        "rsj.clerk",
        "社会保障卡“一卡通”应用服务平台",
        "社保卡在交通、文旅、医疗等场景应用不足，线下服务网点负担重。",
        "全市持卡人约900万，合作银行12家。",
        "电子社保卡申领、就医购药、公交乘车、景区入园；交易成功率99.95%。",
        "申领→制卡→激活→场景接入→交易对账。",
        "6180000",
        "实现“一卡通用”，年服务约3,000万人次。",
        "defer",
    ),
    (
        "scj.clerk",
        "食品安全智慧监管系统",
        "食品生产经营主体多、监管人员少，风险发现滞后。",
        "市县两级市场监管部门、约6.8万家食品经营主体。",
        "主体画像、风险分级、抽检计划、明厨亮灶视频接入。",
        "风险采集→分级→检查任务→处置→评价。",
        "2960000",
        "高风险主体检查覆盖率达到100%。",
        "submitted",
    ),
    (
        "yjj.clerk",
        "城市生命线安全监测预警平台",
        "燃气、供水、桥梁等城市生命线缺少实时监测，事故发现依赖人工巡查。",
        "中心城区燃气管网1,200公里、桥梁36座。",
        "传感器接入、阈值预警、联动处置；预警推送延迟不超过30秒。",
        "感知→分析→预警→派单→处置→复盘。",
        "12800000",
        "重大安全事故风险提前发现。",
        "accept",
    ),
    (
        "jtj.clerk",
        "智慧停车综合管理平台",
        "城区停车资源信息不透明，找车位难、乱停车多。",
        "中心城区路内泊位1.2万个、公共停车场86个。",
        "泊位实时查询、无感支付、诱导发布。",
        "车辆入场→计时→支付→离场→对账。",
        "1980000",
        "车位周转率提高30%。",
        "reject",
    ),
    (
        "mzj.clerk",
        "养老服务综合信息平台",
        "养老服务补贴发放、机构监管依靠纸质台账。",
        "全市养老机构212家、居家养老服务对象约4.5万人。",
        "老人档案、补贴发放、服务工单、机构评级。",
        "申请→评估→派单→服务→回访→结算。",
        "1650000",
        "补贴发放周期由30天缩短至7天。",
        "draft",
    ),
    (
        "zjj.clerk",
        "工程建设项目审批管理系统升级",
        "审批事项与国家平台对接不全，并联审批难以落实。",
        "住建、自然资源、发改等18个审批部门。",
        "并联审批、多图联审、电子证照；与省平台数据实时同步。",
        "立项→规划→施工许可→竣工验收四个阶段并联推进。",
        "2280000",
        "审批时限压缩至80个工作日以内。",
        "submitted",
    ),
    (
        "gaj.clerk",
        "“雪亮工程”视频资源共享平台扩容",
        "视频资源分散在各部门，共享调用困难。",
        "公安、交通、城管等部门约3.6万路视频。",
        "视频汇聚、分级授权调阅、智能分析接口。",
        "接入→编目→授权→调阅→审计。",
        "9600000",
        "视频资源共享率达到90%。",
        "draft",
    ),
];

/// The demo's campaign: the next year's, with its window moved to include today so that
/// visitors can try a submission (a real campaign runs in mid-October, R13.1).
async fn seed_campaign(p: &Platform) -> Result<domain::ItemId, AppError> {
    let planner = principal(p, "bureau.planner").await?;
    let today = p.now().date_naive();
    let opens = (today - chrono::Days::new(14)).to_string();
    let closes = (today + chrono::Days::new(14)).to_string();
    let year = (chrono::Datelike::year(&today) + 1).to_string();
    let title = format!("{year}年度数字政府和新型智慧城市项目需求征集");
    let invited: Vec<String> = app::cycle::demand_units(p)
        .await?
        .iter()
        .map(|o| o.id.get().to_string())
        .collect();
    let invited = invited.join(",");
    let fields = [
        ("title", title.as_str()),
        ("year", year.as_str()),
        ("opens", opens.as_str()),
        ("closes", closes.as_str()),
        ("invited", invited.as_str()),
        (
            "notice",
            "请各单位按照《暂行办法》第十三条要求，于征集期内通过统筹平台报送下一年度数字政府建设需求方案。（演示数据：征集期已调整为包含今天。）",
        ),
    ];
    let id = act(p, &planner, None, "campaign", "create", &fields).await?;
    act(p, &planner, Some(id), "campaign", "open", &[]).await?;
    Ok(id)
}

pub async fn seed_work(p: &Platform) -> Result<(), AppError> {
    let campaign = seed_campaign(p).await?;
    let analyst = principal(p, "dc.analyst").await?;
    for (clerk, title, problem, scope, functions, logic, budget, benefits, end) in DEMANDS {
        let who = principal(p, clerk).await?;
        let input: Input = [
            ("title", *title),
            (
                "contact",
                &format!(
                    "{} 0377-6{:07}",
                    who.user.display_name,
                    who.user.id.get() * 7919 % 10_000_000
                ),
            ),
            ("problem", problem),
            ("scope", scope),
            ("functions", functions),
            ("logic", logic),
            ("budget", budget),
            ("benefits", benefits),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let submit = if *end == "draft" {
            None
        } else {
            Some("submit".to_string())
        };
        let id = create(
            p,
            &who,
            "demand",
            Command {
                action: "create".into(),
                input,
                then: submit,
                idempotency: None,
            },
        )
        .await?;
        if matches!(*end, "draft" | "submitted") {
            continue;
        }
        perform(
            p,
            &analyst,
            id,
            Command {
                action: "start_analysis".into(),
                input: Input::new(),
                then: None,
                idempotency: None,
            },
        )
        .await?;
        let reason = match *end {
            "accept" => "需求明确，符合全市数字政府建设规划，建议列入下一年度建设计划。",
            "defer" => "与省级平台建设安排存在衔接问题，建议待省级平台上线后再行论证。",
            "reject" => "与已建城市综合管理平台停车模块功能重叠，建议在现有平台上扩展。",
            _ => continue,
        };
        // The Data Center's optional scores (necessity, feasibility, benefit), so the Bureau's
        // ranking of the year's demands has something to rank; varied by the demand's id.
        let base: i64 = match *end {
            "accept" => 9,
            "defer" => 6,
            _ => 4,
        };
        let vary = id.get() % 3;
        let scores = [
            ("score_need", base - vary),
            ("score_feasible", base - 1 + vary % 2),
            ("score_benefit", base - (vary + 1) % 3),
        ];
        let mut input: Input = [("reason".to_string(), reason.to_string())].into();
        input.extend(scores.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        perform(
            p,
            &analyst,
            id,
            Command {
                action: (*end).to_string(),
                input,
                then: None,
                idempotency: None,
            },
        )
        .await?;
    }
    // The Data Center's compilation opinion on the year (art. 13(1)), reported to the Bureau,
    // which has it in its 待办 to acknowledge and reads it beside next year's draft plan.
    let number = app::items::view(p, &analyst, campaign).await?.row.number;
    let opinion = act(
        p,
        &analyst,
        None,
        "plan_opinion",
        "create",
        &[
            ("campaign", &number),
            ("title", "下一年度建设计划编制意见"),
            (
                "summary",
                "本次征集各单位报送的需求方案已逐项分析并出具编制意见；采纳的需求与全市数字政府建设规划和已建系统衔接，建议按轻重缓急分年度实施，其余需求暂缓或在现有系统上扩展。",
            ),
            (
                "priorities",
                "1. 不动产登记“一网通办”系统升级；2. 城市生命线安全监测预警平台。",
            ),
        ],
    )
    .await?;
    act(p, &analyst, Some(opinion), "plan_opinion", "submit", &[]).await?;
    Ok(())
}
