/// One generated event before it is written: plain integers and catalog indices, no strings.
struct EventDraft: Sendable {
    var ts: Int64
    var id: UUIDBits
    var anonymousID: UUIDBits
    var sessionID: UUIDBits
    /// The `n` of `user_id` `u_<n>`; 0 while the visitor is not logged in.
    var user: Int32
    /// The page the event happened on: its `url`.
    var page: Page
    var body: Body

    enum Body: Sendable {
        /// `page_view`; the referrer is an external one (landing page) or the previous page.
        case pageView(referrer: Referrer)
        /// `click` on `target`; `content` names the category or product whose name is the
        /// element's text, where the text is not fixed.
        case click(target: ClickTarget, content: Int32, x: Int64, y: Int64)
        case addToCart(product: Int32, quantity: Int32)
        case beginCheckout(items: Int32, valueCents: Int64)
        case purchase(Purchase)
        case search(query: Int32, results: Int32)
        case login(withGoogle: Bool)
    }

    enum Referrer: Sendable {
        /// Index into the catalog's external referrers (0: direct, empty string).
        case external(Int32)
        case page(Page)
    }

    struct Purchase: Sendable {
        var order: Int64
        var revenueCents: Int64
        var items: Int32
        var firstOrder: Bool
        var expressShipping: Bool
        var coupon: Coupon
        var clubPlan: Bool
        /// The last two products added, when the props list them (-1: none).
        var skus: (Int32, Int32)?

        enum Coupon: Sendable {
            case absent, null, welcome
        }
    }
}
