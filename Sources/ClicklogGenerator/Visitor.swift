/// One visitor (one browser, one `anonymous_id`): its schedule, its place on the site, its cart
/// and login, and the action it is in the middle of. A value type; the generator keeps them in
/// an array and advances the one whose next event is earliest.
struct Visitor: Sendable {
    var schedule: VisitSchedule
    /// Time of the next event.
    var nextTs: Int64
    /// Time of the last event written, `.min` before the first.
    var lastTs: Int64 = .min
    /// Events still to write (the plan's count in the window, or fewer for the last visitor).
    var budget: Int
    let anonymousID: UUIDBits
    var sessionID = UUIDBits(high: 0, low: 0)
    /// The visitor's account number (`u_<n>`), 0 for visitors without an account.
    let user: Int32
    var loggedIn: Bool
    /// Whether the visitor has been to the shop before: after its first visit, and from the start
    /// for visitors whose earlier visits were before the window.
    var returning: Bool
    /// The next event opens a visit.
    var startsVisit = true
    /// This visit was started with the intent to buy: it moves down the funnel more often.
    var buyer = false

    var page = Page.home
    var previous = Page.home
    /// Where the login form sends the visitor after signing in.
    var afterLogin = Page.account
    var action = Action.none
    /// The step of `action` the next event is.
    var step: Int8 = 0
    var justAddedToCart = false

    var cartItems: Int32 = 0
    var cartCents: Int64 = 0
    /// The last two products added to the cart, newest first (-1: none).
    var cartProducts: (Int32, Int32) = (-1, -1)
    var orders: Int32 = 0

    init(plan: VisitorPlan, budget: Int, anonymousID: UUIDBits, user: Int32, loggedIn: Bool, returning: Bool) {
        self.schedule = plan.schedule
        self.nextTs = plan.firstTs
        self.budget = budget
        self.anonymousID = anonymousID
        self.user = user
        self.loggedIn = loggedIn
        self.returning = returning
    }

    /// What the visitor is doing: each action is one to three events, written one per call.
    enum Action: Equatable, Sendable {
        case none
        /// A visit's first page view, from an external referrer (index into the catalog's).
        case land(Page, referrer: Int32)
        /// A page view without a click: the back button, a bookmark, a typed URL.
        case view(Page)
        /// A click that does not navigate (an image, a filter, a form field).
        case click(ClickTarget)
        /// A click on a link, then the page view it leads to.
        case navigate(ClickTarget, Page)
        /// Click on `#add-to-cart`, then `add_to_cart`.
        case addToCart(product: Int32, quantity: Int32)
        /// Click on `a#checkout` in the cart, the `/checkout` page view, then `begin_checkout`.
        case checkout
        /// Click on the buy button, `purchase`, then the `/order/confirmed` page view.
        case purchase
        /// Click on the search button, `search`, then the results page view.
        case search(query: Int32)
        /// Submit of the login form, `login` (from which `user_id` is set), then the page view
        /// of `afterLogin`.
        case login

        var steps: Int8 {
            switch self {
            case .none: 0
            case .land, .view, .click: 1
            case .navigate, .addToCart: 2
            case .checkout, .purchase, .search, .login: 3
            }
        }
    }
}
