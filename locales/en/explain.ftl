# The member view of `mutual explain` (--view member), in English.
# Amounts arrive formatted (thousands grouped, two decimals); `$count`-like
# numbers arrive as numbers, for the plural forms, with `*_text` beside them.

letter-greeting = Dear member { $member },
letter-closing = This letter was written from the rules of { $plan }. Please quote the period or the claim if you write to us about it.
letter-rules = Where to read the rules: { $rules }.
letter-rule = { $file }:{ $line } ({ $text })
letter-rules-separator = {"; "}

## A charge

charge-paid = In the period from { $start } to { $end }, you were charged { $charge } CNY.
charge-nothing = In the period from { $start } to { $end }, you were charged nothing.
charge-cases = { $cases ->
    [0] No claim was approved in the period, so there was nothing to share.
    [one] One claim was approved in the period, paying { $payouts } CNY; with the management fee of { $fee } CNY, the period cost { $pool } CNY.
   *[other] { $cases_text } claims were approved in the period, paying { $payouts } CNY in all; with the management fee of { $fee } CNY, the period cost { $pool } CNY.
}
charge-carried = { $carried } CNY left over from the period before was used first, which left { $to_collect } CNY to collect.
charge-shared = It was shared among { $members_text } { $members ->
    [one] member
   *[other] members
}, and your share came to { $share } CNY.
charge-protected = { $kind ->
    [per_case] The plan's cap per case
    [per_charge] The plan's cap on one charge
    [per_year] Your yearly cap
   *[per_calendar_year] The cap per calendar year
} protected you: it limited your charge to { $cap } CNY, where your share would have been { $share } CNY. The operator bore the difference.
charge-rounded = Rounded to the fen as the plan says, your charge is { $charge } CNY.
charge-balance = Your balance after the charge: { $balance } CNY.
charge-not-sharing = { $why ->
    [ineligible] You did not share in this period: your application of { $since } did not meet the plan's conditions for joining ({ $detail }).
    [joined_after] You did not share in this period: you joined on { $since }, after its closing day.
    [left] You did not share in this period: you left the plan on { $since }.
    [ended] You did not share in this period: your membership ended on { $since }{ $end_cause ->
        [age_limit] , at the age limit of the plan
        [term_not_renewed] , at the end of a term that could not be renewed
        [payout] , when a claim was paid
        [waiting_refund] , when an illness was diagnosed in the waiting period
        [closed] , when the plan closed
       *[none] {""}
    }.
   *[paused] You did not share in this period: your cover has been paused since { $since }, because your balance fell below the plan's minimum.
}
charge-refunded = The { $refunded } CNY you had been charged was refunded to you.
charge-others = { $members_text } { $members ->
    [one] member shared
   *[other] members shared
} the period's cost.

## A claim

claim-head = Your claim { $claim }: { $disease }{ $disease_name }, diagnosed on { $diagnosed } and filed on { $filed }.
claim-approved = It is approved: { $payout } CNY is paid under “{ $benefit }”.
claim-approved-ends = As the plan says, the payout ends your membership on { $ended_on }.
claim-denied = It cannot be paid.
deny-member = No member of the plan has the id { $member }.
deny-join_age = You were { $age_years } years old when you joined, and the plan accepts members aged { $join_ages } at joining.
deny-requirement = When you joined, you did not meet the plan's condition { $requirement }.
deny-requirement-values = When you joined, you did not meet the plan's condition { $requirement }: { $member_values }.
deny-joined_before = The illness was diagnosed on { $diagnosed }, before you joined on { $join_date }.
deny-left = The illness was diagnosed on { $diagnosed }, after you left the plan on { $left_date }.
deny-membership = The illness was diagnosed on { $diagnosed }, after your membership ended on { $ended_on }.
deny-disease = The plan does not cover { $disease }.
deny-cause = { $cause ->
    [illness] The benefit pays only for accidents, and this claim is for an illness.
   *[accident] The benefit does not pay for accidents, and this claim is for an accident.
}
deny-waiting_period = It was diagnosed on { $diagnosed }, within the { $waiting_days }-day waiting period that ended on { $waiting_ends }.
deny-age_band = You were { $age_years } years old on { $age_on }, an age for which the benefit pays nothing.
deny-limit = The benefit pays at most { $limit } { $limit ->
    [one] claim
   *[other] claims
} per member, and { $approved_before } had already been paid.
deny-cover = Your cover was paused on { $diagnosed }: since { $paused_since } your balance was below the plan's minimum of { $minimum } CNY.
deny-other = { $text }
whynot-waiting_period = The claim would have been paid had the illness been diagnosed on or after { $waiting_ends }, when the { $waiting_days }-day waiting period ended{ $accidents_exempt ->
    [true] ; an illness caused by an accident is paid at once
   *[false] {""}
}.
whynot-requirement = The claim would have been paid had you met the condition { $requirement } when you joined.
whynot-cover = The claim would have been paid had your balance been topped up to at least { $minimum } CNY before { $diagnosed }.
