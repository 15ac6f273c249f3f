//! The served demo's O&M and security (art. 19-22): the hardware the Data Center took over
//! when it was formed, a ticket and an overdue MLPS assessment on the first registered system,
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
    let f = store_filter();
    let first = app::items::list(p, &om, &f).await?;
    if let Some(system) = first.rows.last() {
        let fields = [
            ("system", system.number.as_str()),
            ("om_owner", "datacenter"),
            ("summary", "登录后首页加载缓慢"),
            ("category", "software"),
            ("priority", "p3"),
            ("description", "早上八点半高峰期首页需要十秒以上才能打开。"),
        ];
        act(
            p,
            &principal(p, "jtj.clerk").await?,
            None,
            "ticket",
            "create",
            &fields,
        )
        .await?;
    }
    Ok(())
}

fn store_filter() -> app::items::ListQuery {
    app::items::ListQuery {
        kind: "system".into(),
        page: 1,
        per_page: 20,
        ..Default::default()
    }
}
