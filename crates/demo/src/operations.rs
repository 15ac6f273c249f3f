//! The served demo's O&M and security (art. 19-22): the hardware the Data Center took over
//! when it was formed, the city's service portal with a ticket and an overdue MLPS assessment,
//! and a data-security rule.

use crate::{act, principal};
use app::{AppError, Platform};

/// (asset tag, name, make and model, location, transferred from)
const EQUIPMENT: &[(&str, &str, &str, &str, &str)] = &[
    (
        "NY-DC-0001",
        "政务云计算节点",
        "华为 FusionServer 2288H V5",
        "市民中心机房A区",
        "原市信息中心",
    ),
    (
        "NY-DC-0002",
        "核心交换机",
        "华三 S12508X-AF",
        "市民中心机房A区",
        "原市信息中心",
    ),
    (
        "NY-DC-0003",
        "存储阵列",
        "浪潮 AS5600G5",
        "市民中心机房B区",
        "原市电子政务办",
    ),
];

pub async fn seed(p: &Platform) -> Result<(), AppError> {
    let om = principal(p, "dc.om").await?;
    for (tag, name, model, location, from) in EQUIPMENT {
        let fields = [
            ("asset_tag", *tag),
            ("name", *name),
            ("model", *model),
            ("location", *location),
            ("from_unit", *from),
        ];
        act(p, &om, None, "equipment", "create", &fields).await?;
    }
    // A level-3 system of its own, so the O&M demo does not depend on which city was seeded.
    let fields = [
        ("name", "南阳市政务服务网"),
        ("unit", "南阳市政务服务和大数据管理局"),
        ("description", "全市政务服务事项的网上办理入口"),
        ("built", "2021"),
        ("om_owner", "datacenter"),
        ("mlps_level", "3"),
        ("golive", "2021-06-30"),
        ("addresses", "https://zwfw.nanyang.gov.cn"),
    ];
    let id = act(p, &om, None, "system", "create", &fields).await?;
    let number = app::items::view(p, &om, id).await?.row.number;
    let fields = [
        ("system", number.as_str()),
        ("om_owner", "datacenter"),
        ("summary", "登录后首页加载缓慢"),
        ("category", "software"),
        ("priority", "p3"),
        ("description", "早上八点半高峰期首页需要十秒以上才能打开。"),
    ];
    let clerk = principal(p, "jtj.clerk").await?;
    act(p, &clerk, None, "ticket", "create", &fields).await?;
    // Art. 21: its MLPS assessment (level 3, yearly) is a month overdue.
    let last = (p.today() - chrono::Duration::days(400)).to_string();
    let fields = [
        ("system", number.as_str()),
        ("subject", "南阳市政务服务网等级保护测评"),
        ("assessment_kind", "mlps"),
        ("mlps_level", "3"),
        ("assessed_on", last.as_str()),
        ("assessor", "河南省信息安全测评中心"),
        ("result", "basic"),
        ("score", "78"),
    ];
    let pm = principal(p, "company.pm").await?;
    act(p, &pm, None, "assessment", "create", &fields).await?;
    // R16.4: three months of its use, drawn on its page.
    for (back, visits, users, cases) in [
        (3, "182340", "41200", "9870"),
        (2, "201553", "45890", "10422"),
        (1, "226871", "50312", "11908"),
    ] {
        let month = p.today() - chrono::Months::new(back);
        let period = month.format("%Y-%m").to_string();
        let fields = [
            ("system", number.as_str()),
            ("period", period.as_str()),
            ("visits", visits),
            ("users", users),
            ("transactions", cases),
        ];
        act(p, &om, None, "usage", "create", &fields).await?;
    }
    // Art. 22: the Data Center's rule for the last stage of the data's life.
    let rule = [
        ("stage", "destroy"),
        ("title", "政务数据销毁管理规定"),
        (
            "content",
            "存储介质报废前须由两人以上消磁或物理销毁，登记介质编号、方式和见证人。",
        ),
        ("effective", "2026-01-01"),
    ];
    act(p, &om, None, "data_rule", "create", &rule).await?;
    transfer_awaiting_finance(p).await
}

/// Art. 9: the Company applies to take over the assets of the city management platform built
/// before the platform; the transfer waits in Finance's 待办.
async fn transfer_awaiting_finance(p: &Platform) -> Result<(), AppError> {
    let pm = principal(p, "company.pm").await?;
    let unit = principal(p, "jtj.clerk").await?.org.id.get().to_string();
    let fields = [
        ("title", "城市综合管理服务平台资产划转"),
        ("from_unit", unit.as_str()),
        ("origin", "built_before"),
        (
            "asset_list",
            "城市综合管理服务平台软件 1 套，原值 320 万元，部署于市政务云；视频汇聚服务器 2 台，原值 46 万元，存放于市民中心机房A区。",
        ),
        ("total_value", "3660000"),
    ];
    let id = act(p, &pm, None, "asset_transfer", "create", &fields).await?;
    app::files::attach(
        p,
        &pm,
        id,
        "资产清单及权属证明.pdf",
        b"%PDF-1.7\n% asset list\n%%EOF\n".to_vec(),
    )
    .await?;
    act(p, &pm, Some(id), "asset_transfer", "submit", &[]).await?;
    Ok(())
}
