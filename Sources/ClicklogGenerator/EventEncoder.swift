/// Writes an `EventDraft` as one JSON object (protocol.md, "Event"), with no trailing newline.
///
/// Field order is fixed: `id`, `event`, `ts`, `anonymous_id`, `user_id` (when logged in),
/// `session_id`, `url`, then the kind's own fields. Every string comes pre-escaped from the
/// catalog, so writing is copying bytes.
enum EventEncoder {
    /// An upper bound on an event's size: at most four catalog strings (url, referrer or
    /// selector, title or text, or two SKUs) plus fixed text and numbers well under 640 bytes.
    static func maxEventBytes(catalog: ShopCatalog) -> Int {
        640 + 4 * catalog.longestEntry
    }

    static func write(_ e: EventDraft, catalog: ShopCatalog, to out: inout ByteWriter) {
        out.literal(#"{"id":""#)
        out.uuid(e.id)
        switch e.body {
        case .pageView: out.literal(#"","event":"page_view","ts":"#)
        case .click: out.literal(#"","event":"click","ts":"#)
        case .addToCart: out.literal(#"","event":"add_to_cart","ts":"#)
        case .beginCheckout: out.literal(#"","event":"begin_checkout","ts":"#)
        case .purchase: out.literal(#"","event":"purchase","ts":"#)
        case .search: out.literal(#"","event":"search","ts":"#)
        case .login: out.literal(#"","event":"login","ts":"#)
        }
        out.integer(e.ts)
        out.literal(#","anonymous_id":""#)
        out.uuid(e.anonymousID)
        if e.user != 0 {
            out.literal(#"","user_id":"u_"#)
            out.integer(Int64(e.user))
        }
        out.literal(#"","session_id":""#)
        out.uuid(e.sessionID)
        out.literal(#"","url":""#)
        catalog.writeURL(of: e.page, to: &out)
        out.byte(UInt8(ascii: "\""))

        switch e.body {
        case .pageView(let referrer):
            out.literal(#","referrer":""#)
            switch referrer {
            case .external(let index): catalog.referrers.write(Int(index), to: &out)
            case .page(let page): catalog.writeURL(of: page, to: &out)
            }
            out.literal(#"","title":""#)
            catalog.writeTitle(of: e.page, to: &out)
            out.literal(#""}"#)

        case .click(let target, let content, let x, let y):
            out.literal(#","selector":""#)
            catalog.selectors.write(Int(target.rawValue), to: &out)
            switch target.text {
            case .fixed:
                out.literal(#"","text":""#)
                catalog.targetTexts.write(Int(target.rawValue), to: &out)
            case .categoryName:
                out.literal(#"","text":""#)
                catalog.categoryNames.write(Int(content), to: &out)
            case .productName:
                out.literal(#"","text":""#)
                catalog.productNames.write(Int(content), to: &out)
            case .none:
                break
            }
            out.literal(#"","x":"#)
            out.integer(x)
            out.literal(#","y":"#)
            out.integer(y)
            out.byte(UInt8(ascii: "}"))

        case .addToCart(let product, let quantity):
            out.literal(#","props":{"product_id":""#)
            catalog.productIDs.write(Int(product), to: &out)
            out.literal(#"","price":"#)
            out.cents(catalog.priceCents[Int(product)])
            out.literal(#","quantity":"#)
            out.integer(Int64(quantity))
            out.literal(#","currency":"EUR"}}"#)

        case .beginCheckout(let items, let valueCents):
            out.literal(#","props":{"items":"#)
            out.integer(Int64(items))
            out.literal(#","value":"#)
            out.cents(valueCents)
            out.literal(#","currency":"EUR"}}"#)

        case .purchase(let p):
            writePurchaseProps(p, catalog: catalog, to: &out)

        case .search(let query, let results):
            out.literal(#","props":{"q":""#)
            catalog.queryTexts.write(Int(query), to: &out)
            out.literal(#"","results":"#)
            out.integer(Int64(results))
            out.literal("}}")

        case .login(let withGoogle):
            out.literal(withGoogle ? #","props":{"method":"google"}}"# : #","props":{"method":"password"}}"#)
        }
    }

    /// `purchase` props: always order, revenue, item count, currency and whether it is the
    /// visitor's first order; sometimes a nested shipping object, a coupon (or an explicit
    /// null), a membership plan and an array of SKUs, so that every value type of the protocol
    /// (string, number, bool, null, nested object, array) appears.
    private static func writePurchaseProps(_ p: EventDraft.Purchase, catalog: ShopCatalog, to out: inout ByteWriter) {
        out.literal(#","props":{"order_id":"o_"#)
        out.integer(p.order)
        out.literal(#"","revenue":"#)
        out.cents(p.revenueCents)
        out.literal(#","items":"#)
        out.integer(Int64(p.items))
        out.literal(p.firstOrder ? #","currency":"EUR","first_order":true"# : #","currency":"EUR","first_order":false"#)
        if p.expressShipping {
            out.literal(#","shipping":{"method":"express","cost":9.90}"#)
        }
        switch p.coupon {
        case .absent: break
        case .null: out.literal(#","coupon":null"#)
        case .welcome: out.literal(#","coupon":"WELCOME10""#)
        }
        if p.clubPlan {
            out.literal(#","plan":"club""#)
        }
        if let (first, second) = p.skus {
            out.literal(#","skus":[""#)
            catalog.productIDs.write(Int(first), to: &out)
            if second >= 0 {
                out.literal(#"",""#)
                catalog.productIDs.write(Int(second), to: &out)
            }
            out.literal(#""]"#)
        }
        out.literal("}}")
    }
}
