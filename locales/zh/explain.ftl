# `mutual explain` 的会员视图（--view member），中文。
# 金额已格式化（千位分隔，两位小数）；计数以数字传入以选择复数形式，旁边另有 `*_text`。

letter-greeting = 尊敬的会员 { $member }：
letter-closing = 本说明依据《{ $plan }》的规则写成。如对此有疑问，来信时请注明期次或理赔申请编号。
letter-rules = 规则出处：{ $rules }。
letter-rule = { $file }:{ $line }（{ $text }）
letter-rules-separator = ；

## 分摊

charge-paid = 在 { $start } 至 { $end } 这一期，您分摊了 { $charge } 元。
charge-nothing = 在 { $start } 至 { $end } 这一期，您无需分摊。
charge-cases = { $cases ->
    [0] 本期没有获批的理赔，无需分摊。
   *[other] 本期共有 { $cases_text } 件理赔获批，赔付金额合计 { $payouts } 元；加上管理费 { $fee } 元，本期费用共 { $pool } 元。
}
charge-carried = 上期结余的 { $carried } 元先行抵扣，本期还需分摊 { $to_collect } 元。
charge-shared = 这笔费用由 { $members_text } 位会员共同分摊，您的份额为 { $share } 元。
charge-protected = { $kind ->
    [per_case] 计划的单案分摊上限
    [per_charge] 计划的单期分摊上限
    [per_year] 您的年度分摊上限
   *[per_calendar_year] 自然年度分摊上限
}保护了您：您的份额本为 { $share } 元，上限将您的分摊限定为 { $cap } 元，差额由运营方承担。
charge-rounded = 按计划的规则精确到分，您本期的分摊金额为 { $charge } 元。
charge-balance = 本次分摊后，您的账户余额为 { $balance } 元。
charge-not-sharing = { $why ->
    [ineligible] 您本期未参与分摊：您于 { $since } 提交的加入申请不符合计划的加入条件。
    [joined_after] 您本期未参与分摊：您于 { $since } 加入，晚于本期的结算日。
    [left] 您本期未参与分摊：您已于 { $since } 退出计划。
    [ended] 您本期未参与分摊：您的会员资格{ $end_cause ->
        [age_limit] 因达到计划的年龄上限，
        [term_not_renewed] 因保障期满未能续期，
        [payout] 因获得赔付，
        [waiting_refund] 因在等待期内确诊疾病，
        [closed] 因计划关停，
       *[none] {""}
    }已于 { $since } 终止。
   *[paused] 您本期未参与分摊：由于账户余额低于计划规定的最低余额，您的保障自 { $since } 起暂停。
}
charge-refunded = 您此前已分摊的 { $refunded } 元已退还给您。
charge-others = 本期费用由 { $members_text } 位会员共同分摊。

## 理赔

claim-head = 您的理赔申请 { $claim }：{ $disease }{ $disease_name }，确诊日期 { $diagnosed }，申请日期 { $filed }。
claim-approved = 申请已获批准：按「{ $benefit }」赔付 { $payout } 元。
claim-approved-ends = 按计划规定，此次赔付后您的会员资格于 { $ended_on } 终止。
claim-denied = 本次申请无法获得赔付。
deny-member = 计划中没有编号为 { $member } 的会员。
deny-join_age = 您加入时 { $age_years } 周岁，而计划只接受加入时年龄在 { $join_ages } 之间的会员。
deny-requirement = 您加入时不符合计划的条件 { $requirement }。
deny-requirement-values = 您加入时不符合计划的条件 { $requirement }：{ $member_values }。
deny-joined_before = 确诊日期 { $diagnosed } 早于您的加入日期 { $join_date }。
deny-left = 确诊日期 { $diagnosed } 晚于您退出计划的日期 { $left_date }。
deny-membership = 确诊日期 { $diagnosed } 晚于您的会员资格终止日期 { $ended_on }。
deny-disease = 计划不保障 { $disease }。
deny-cause = { $cause ->
    [illness] 该保障仅赔付意外事故，而本次申请属于疾病。
   *[accident] 该保障不赔付意外事故，而本次申请属于意外。
}
deny-waiting_period = 确诊日期 { $diagnosed } 在 { $waiting_days } 天等待期内（等待期于 { $waiting_ends } 届满）。
deny-age_band = 您在 { $age_on } 时 { $age_years } 周岁，该年龄不在此项保障的赔付范围内。
deny-limit = 每位会员此项保障最多赔付 { $limit } 次，您已获赔 { $approved_before } 次。
deny-cover = 确诊日期 { $diagnosed } 时您的保障处于暂停状态：自 { $paused_since } 起您的账户余额低于计划规定的最低余额 { $minimum } 元。
deny-other = { $text }
whynot-waiting_period = 若确诊日期在 { $waiting_ends } 或之后（{ $waiting_days } 天等待期届满），本次申请可获赔付{ $accidents_exempt ->
    [true] ；意外导致的除外
   *[false] {""}
}。
whynot-requirement = 若您加入时符合条件 { $requirement }，本次申请可获赔付。
whynot-cover = 若在 { $diagnosed } 之前将账户余额充值至不低于 { $minimum } 元，本次申请可获赔付。
