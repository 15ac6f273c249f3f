//! The demo's registries for construction (art. 14, 15): vendors by kind with their credit
//! codes, and the Bureau's expert registry, including experts employed by the Company and by a
//! vendor so that a draw visibly excludes them.

use crate::{act, principal};
use app::{AppError, Platform};

/// (name, kind, unified social credit code, contact)
const VENDORS: &[(&str, &str, &str, &str)] = &[
    (
        "河南省信息咨询设计研究有限公司",
        "design",
        "91410000MA44XXQ91F",
        "王工 0371-65000001",
    ),
    (
        "南阳智慧城市科技有限公司",
        "development",
        "91411300MA9FCL2K3M",
        "李工 0377-63000002",
    ),
    (
        "中原数字工程监理有限公司",
        "supervision",
        "91410100MA3X7YHN87",
        "赵工 0371-66000003",
    ),
    (
        "卧龙软件股份有限公司",
        "development",
        "91411303MA40A1B2C0",
        "周工 0377-62000004",
    ),
];

/// (name, employer, employer's credit code, specialty)
const EXPERTS: &[(&str, &str, &str, &str)] = &[
    ("王建国", "南阳理工学院", "", "软件工程"),
    ("李秀英", "郑州大学", "", "信息安全"),
    ("张卫东", "河南省大数据发展中心", "", "数据治理"),
    ("刘洋", "南阳师范学院", "", "系统架构"),
    ("陈晓燕", "中国电信南阳分公司", "", "云计算与网络"),
    ("杨志刚", "河南财经政法大学", "", "投资评审"),
    ("赵敏", "南阳数字城市建设运营有限公司", "", "项目管理"),
    (
        "黄海涛",
        "河南省信息咨询设计研究有限公司",
        "91410000MA44XXQ91F",
        "信息化规划",
    ),
];

/// The vendor whose staff log in (issue 13, point 3): the development vendor the demo's
/// trial defect is assigned to.
pub const VENDOR_LOGIN: &str = "vendor.dev";

pub async fn seed(p: &Platform) -> Result<(), AppError> {
    let pm = principal(p, "company.pm").await?;
    let mut numbers = Vec::new();
    for (name, kind, code, contact) in VENDORS {
        let fields = [
            ("name", *name),
            ("vendor_kind", *kind),
            ("credit_code", *code),
            ("contact", *contact),
        ];
        let id = act(p, &pm, None, "vendor", "create", &fields).await?;
        numbers.push(app::items::view(p, &pm, id).await?.row.number);
    }
    // The development vendor's own unit, coded by its registry number, and one of its staff.
    let sec = principal(p, "admin.sec").await?;
    app::admin::grants::add_org(
        p,
        &sec,
        &app::admin::grants::NewOrg {
            code: &numbers[1],
            name_zh: VENDORS[1].0,
            name_en: "Nanyang Smart City Technology Co., Ltd.",
            kind: "Vendor",
            county: "",
        },
    )
    .await?;
    app::accounts::add(
        p,
        "demo",
        &app::accounts::NewAccount {
            username: VENDOR_LOGIN,
            display_name: "李工",
            org_code: &numbers[1],
            role: "vendor_staff",
            password: crate::DEMO_PASSWORD,
        },
    )
    .await?;
    let planner = principal(p, "bureau.planner").await?;
    for (name, employer, code, specialty) in EXPERTS {
        let fields = [
            ("name", *name),
            ("employer", *employer),
            ("employer_code", *code),
            ("specialty", *specialty),
        ];
        act(p, &planner, None, "expert", "create", &fields).await?;
    }
    Ok(())
}
