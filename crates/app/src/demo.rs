//! Demo data for a city the size of the seed's (REQUIREMENTS.md): the organisations of
//! art. 4-12 with one user per role, and demands in every state of art. 13. Only on an empty
//! database.

use crate::accounts::{NewAccount, add};
use crate::items::{Command, create, perform};
use crate::{AppError, Platform, Principal, identity};
use domain::{Input, Lang};
use store::orgs::NewOrg;

/// The password of every demo account (12+ characters, four classes).
pub const DEMO_PASSWORD: &str = "Tongchou@2026";

/// (code, 中文名, English name, kind, county)
const ORGS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "bureau",
        "南阳市政务服务和大数据管理局",
        "Nanyang Government Services and Big Data Bureau",
        "Bureau",
        None,
    ),
    (
        "datacenter",
        "南阳市政务大数据中心",
        "Nanyang Government Big Data Center",
        "DataCenter",
        None,
    ),
    (
        "company",
        "南阳数字城市建设运营有限公司",
        "Nanyang Digital City Construction and Operation Co., Ltd.",
        "Company",
        None,
    ),
    (
        "ndrc",
        "南阳市发展和改革委员会",
        "Nanyang Development and Reform Commission",
        "Ndrc",
        None,
    ),
    (
        "finance",
        "南阳市财政局",
        "Nanyang Finance Bureau",
        "Finance",
        None,
    ),
    (
        "finaff",
        "中共南阳市委金融委员会办公室",
        "Nanyang Financial Affairs Office",
        "FinancialAffairs",
        None,
    ),
    (
        "cyber",
        "中共南阳市委网络安全和信息化委员会办公室",
        "Nanyang Cyberspace Affairs Office",
        "Cyberspace",
        None,
    ),
    (
        "audit",
        "南阳市审计局",
        "Nanyang Audit Bureau",
        "Audit",
        None,
    ),
    (
        "leaders",
        "南阳市人民政府",
        "Nanyang Municipal People's Government",
        "CityLeadership",
        None,
    ),
    (
        "zrzy",
        "南阳市自然资源和规划局",
        "Nanyang Natural Resources and Planning Bureau",
        "GovernmentDept",
        None,
    ),
    (
        "gaj",
        "南阳市公安局",
        "Nanyang Public Security Bureau",
        "GovernmentDept",
        None,
    ),
    (
        "wjw",
        "南阳市卫生健康委员会",
        "Nanyang Health Commission",
        "GovernmentDept",
        None,
    ),
    (
        "jyj",
        "南阳市教育局",
        "Nanyang Education Bureau",
        "GovernmentDept",
        None,
    ),
    (
        "rsj",
        "南阳市人力资源和社会保障局",
        "Nanyang Human Resources and Social Security Bureau",
        "GovernmentDept",
        None,
    ),
    (
        "scj",
        "南阳市市场监督管理局",
        "Nanyang Market Regulation Administration",
        "GovernmentDept",
        None,
    ),
    (
        "zjj",
        "南阳市住房和城乡建设局",
        "Nanyang Housing and Urban-Rural Development Bureau",
        "GovernmentDept",
        None,
    ),
    (
        "yjj",
        "南阳市应急管理局",
        "Nanyang Emergency Management Bureau",
        "GovernmentDept",
        None,
    ),
    (
        "jtj",
        "南阳市交通运输局",
        "Nanyang Transport Bureau",
        "GovernmentDept",
        None,
    ),
    (
        "mzj",
        "南阳市民政局",
        "Nanyang Civil Affairs Bureau",
        "GovernmentDept",
        None,
    ),
    (
        "dengzhou",
        "邓州市人民政府",
        "Dengzhou City Government",
        "County",
        Some("邓州市"),
    ),
    (
        "nanzhao",
        "南召县人民政府",
        "Nanzhao County Government",
        "County",
        Some("南召县"),
    ),
];

/// (username, 姓名, org code, role)
pub const USERS: &[(&str, &str, &str, &str)] = &[
    ("zrzy.clerk", "刘静", "zrzy", "demand_clerk"),
    ("gaj.clerk", "孙伟", "gaj", "demand_clerk"),
    ("wjw.clerk", "周敏", "wjw", "demand_clerk"),
    ("jyj.clerk", "吴桂芳", "jyj", "demand_clerk"),
    ("rsj.clerk", "郑强", "rsj", "demand_clerk"),
    ("scj.clerk", "冯丽", "scj", "demand_clerk"),
    ("zjj.clerk", "何军", "zjj", "demand_clerk"),
    ("yjj.clerk", "高鹏", "yjj", "demand_clerk"),
    ("jtj.clerk", "罗霞", "jtj", "demand_clerk"),
    ("mzj.clerk", "梁红", "mzj", "demand_clerk"),
    ("bureau.planner", "张明", "bureau", "bureau_planner"),
    ("bureau.head", "李华", "bureau", "bureau_leader"),
    ("dc.analyst", "王磊", "datacenter", "datacenter_analyst"),
    ("dc.analyst2", "赵静", "datacenter", "datacenter_analyst"),
    ("company.pm", "陈刚", "company", "company_pm"),
    ("ndrc.officer", "杨帆", "ndrc", "ndrc_officer"),
    ("finance.officer", "黄丽娟", "finance", "finance_officer"),
    ("finaff.officer", "林涛", "finaff", "finaff_officer"),
    ("cyber.reviewer", "徐志强", "cyber", "cyber_reviewer"),
    ("audit.auditor", "马晓燕", "audit", "auditor"),
    ("dengzhou.clerk", "朱建国", "dengzhou", "county_clerk"),
    ("nanzhao.clerk", "胡海燕", "nanzhao", "county_clerk"),
    ("leader.incharge", "曹文", "leaders", "leader_in_charge"),
    ("leader.evm", "宋长青", "leaders", "executive_vice_mayor"),
    ("admin.sys", "系统管理员", "datacenter", "sys_admin"),
    ("admin.sec", "安全管理员", "datacenter", "sec_admin"),
    ("admin.audit", "安全审计员", "datacenter", "audit_admin"),
];

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

/// Seeds the demo city if the database has no organisations yet. Returns whether it seeded.
pub async fn seed(p: &Platform) -> Result<bool, AppError> {
    if !seed_orgs_and_users(p).await? {
        return Ok(false);
    }
    seed_systems(p).await?;
    crate::demo_registry::seed(p).await?;
    seed_work(p).await?;
    crate::audit::checkpoint(p).await?;
    Ok(true)
}

/// Organisations and accounts, once: false when the database already has them.
async fn seed_orgs_and_users(p: &Platform) -> Result<bool, AppError> {
    {
        let mut c = p.store.read().await?;
        if store::orgs::count(&mut c).await? > 0 {
            return Ok(false);
        }
    }
    p.store
        .write(|c| {
            Box::pin(async move {
                for (code, zh, en, kind, county) in ORGS {
                    store::orgs::insert(
                        c,
                        &NewOrg {
                            code,
                            name_zh: zh,
                            name_en: en,
                            kind,
                            parent: None,
                            county: *county,
                        },
                    )
                    .await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    for (username, name, org, role) in USERS {
        add(
            p,
            "demo",
            &NewAccount {
                username,
                display_name: name,
                org_code: org,
                role,
                password: DEMO_PASSWORD,
            },
        )
        .await?;
    }
    Ok(true)
}

/// Seeds only the city (organisations, accounts, registered systems) and no campaign or
/// demands, for a story that runs a whole year from the start. Returns whether it seeded.
pub async fn seed_city(p: &Platform) -> Result<bool, AppError> {
    if !seed_orgs_and_users(p).await? {
        return Ok(false);
    }
    seed_systems(p).await?;
    crate::demo_registry::seed(p).await?;
    crate::audit::checkpoint(p).await?;
    Ok(true)
}

async fn seed_systems(p: &Platform) -> Result<(), AppError> {
    let analyst = principal(p, "dc.analyst").await?;
    for (name, unit, description, built) in SYSTEMS {
        let fields = [
            ("name", *name),
            ("unit", *unit),
            ("description", *description),
            ("built", *built),
        ];
        act(p, &analyst, None, "system", "create", &fields).await?;
    }
    Ok(())
}

fn input(pairs: &[(&str, &str)]) -> Input {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(crate) async fn act(
    p: &Platform,
    who: &Principal,
    target: Option<domain::ItemId>,
    kind: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Result<domain::ItemId, AppError> {
    let cmd = Command {
        action: action.into(),
        input: input(fields),
        then: None,
        idempotency_key: None,
    };
    match target {
        None => create(p, who, kind, cmd).await,
        Some(id) => perform(p, who, id, cmd).await,
    }
}

/// The demo's campaign: the next year's, with its window moved to include today so that
/// visitors can try a submission (a real campaign runs in mid-October, R13.1).
async fn seed_campaign(p: &Platform) -> Result<(), AppError> {
    let planner = principal(p, "bureau.planner").await?;
    let today = crate::clock::now().date_naive();
    let opens = (today - chrono::Days::new(14)).to_string();
    let closes = (today + chrono::Days::new(14)).to_string();
    let year = (chrono::Datelike::year(&today) + 1).to_string();
    let title = format!("{year}年度数字政府和新型智慧城市项目需求征集");
    let invited: Vec<String> = crate::cycle::demand_units(p)
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
    Ok(())
}

/// Systems already built, so that the analysis can show overlaps (R13.4).
const SYSTEMS: &[(&str, &str, &str, &str)] = &[
    (
        "城市综合管理服务平台",
        "市城市管理局",
        "城市部件事件巡查上报、案件派遣处置、智慧停车（路内泊位查询与收费）、渣土车监管。",
        "2021",
    ),
    (
        "一体化政务服务平台",
        "市政务服务和大数据管理局",
        "政务服务事项网上申请、受理、审批、办结，电子证照调用，统一身份认证，好差评。",
        "2020",
    ),
    (
        "全民健康信息平台",
        "市卫生健康委员会",
        "区域电子健康档案、电子病历共享调阅，医疗机构数据采集，公共卫生监测预警。",
        "2022",
    ),
    (
        "应急指挥综合业务系统",
        "市应急管理局",
        "突发事件接报、预案管理、应急资源调度、视频会商、防汛抗旱指挥。",
        "2023",
    ),
];

async fn seed_work(p: &Platform) -> Result<(), AppError> {
    seed_campaign(p).await?;
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
                idempotency_key: None,
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
                idempotency_key: None,
            },
        )
        .await?;
        let reason = match *end {
            "accept" => "需求明确，符合全市数字政府建设规划，建议列入下一年度建设计划。",
            "defer" => "与省级平台建设安排存在衔接问题，建议待省级平台上线后再行论证。",
            "reject" => "与已建城市综合管理平台停车模块功能重叠，建议在现有平台上扩展。",
            _ => continue,
        };
        let input: Input = [("reason".to_string(), reason.to_string())].into();
        perform(
            p,
            &analyst,
            id,
            Command {
                action: (*end).to_string(),
                input,
                then: None,
                idempotency_key: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// A principal for seeding, as if the user had logged in.
pub async fn principal(p: &Platform, username: &str) -> Result<Principal, AppError> {
    let mut c = p.store.read().await?;
    let user = store::users::by_username(&mut c, username)
        .await?
        .ok_or(AppError::NotFound)?;
    let org = store::orgs::get(&mut c, user.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = domain::Actor {
        user: user.id,
        org: org.id,
        org_kind: org.kind.clone(),
        role: user.role.clone(),
    };
    Ok(identity::Principal {
        user,
        org,
        actor,
        token_hash: String::new(),
        csrf: String::new(),
        lang: Lang::Zh,
        kind: "internal".into(),
    })
}
