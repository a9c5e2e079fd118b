/// How a visitor moves through the shop: which page it lands on, what it does on each page, and
/// what each step of an action writes. The percentages are the model: they give, over a
/// population, a checkout funnel of roughly 100 % → 30 % → 15 % → 8 % (product view, add to
/// cart, checkout page, purchase), bounce rates near a quarter of visits and Zipf-shaped page
/// popularity.
extension Visitor {
    /// Produces the visitor's next event (at `nextTs`) and moves its state past it.
    mutating func nextEvent(_ rng: inout Xoshiro256StarStar, catalog: ShopCatalog, nextOrder: inout Int64) -> EventDraft {
        if startsVisit {
            beginVisit(at: nextTs, &rng, catalog: catalog)
        } else if action == .none {
            action = chooseAction(&rng, catalog: catalog)
            step = 0
            justAddedToCart = false
        }
        var draft = EventDraft(
            ts: nextTs, id: rng.uuid(), anonymousID: anonymousID, sessionID: sessionID,
            user: loggedIn ? user : 0, page: page, body: .pageView(referrer: .external(0)))
        perform(&draft, &rng, catalog: catalog, nextOrder: &nextOrder)
        lastTs = nextTs
        step += 1
        if step >= action.steps {
            action = .none
        }
        return draft
    }

    /// Moves past the event just written and sets `nextTs`. Returns false when the visitor has
    /// no more events. A step that follows from the previous one (the page view after a click,
    /// `add_to_cart` after the button) comes after a short latency instead of a think time: never
    /// later than the schedule planned, which keeps the visitor inside the window.
    mutating func advance(_ model: TrafficModel, _ rng: inout Xoshiro256StarStar) -> Bool {
        budget -= 1
        guard budget > 0 else { return false }
        switch schedule.advance(model) {
        case .sameVisit(let gap):
            nextTs = lastTs + (action == .none ? gap : min(gap, followUpLatency(&rng)))
        case .newVisit(let gap):
            nextTs = lastTs + gap
            startsVisit = true
        case .finished:
            return false
        }
        return true
    }

    /// A new visit: a new session when the visitor was away for more than 30 minutes (so that
    /// `session_id` agrees with semantics.md's sessions), an intent, and a landing page.
    private mutating func beginVisit(at ts: Int64, _ rng: inout Xoshiro256StarStar, catalog: ShopCatalog) {
        startsVisit = false
        if lastTs == .min || ts - lastTs > TrafficModel.sessionIdle {
            sessionID = rng.uuid()
        }
        buyer = rng.percent(cartItems > 0 ? 45 : loggedIn ? 35 : returning ? 28 : 20)
        returning = true
        justAddedToCart = false
        step = 0
        var roll = Roll(&rng)
        if cartItems > 0, roll.hit(15) {
            action = .land(.cart, referrer: 0)
            return
        }
        let landing: Page =
            if roll.hit(40) { .product(catalog.popularProduct(&rng)) }
            else if roll.hit(25) { .category(catalog.category(&rng)) }
            else if loggedIn, roll.hit(3) { .account }
            else { .home }
        action = .land(landing, referrer: Int32(catalog.externalReferrer(&rng)))
    }

    private mutating func chooseAction(_ rng: inout Xoshiro256StarStar, catalog: ShopCatalog) -> Action {
        var roll = Roll(&rng)
        let canLogIn = user != 0 && !loggedIn
        let hasCart = cartItems > 0
        switch page.kind {
        case .home:
            if roll.hit(35) { return .navigate(.categoryNav, .category(catalog.category(&rng))) }
            if roll.hit(25) { return .navigate(.productCard, .product(catalog.popularProduct(&rng))) }
            if roll.hit(10) { return .search(query: Int32(catalog.query(&rng))) }
            if canLogIn, roll.hit(15) { return goToLogin(returningTo: .account) }
            if hasCart, roll.hit(6) { return .navigate(.cartLink, .cart) }
            if roll.hit(8) { return .click(.heroNext) }
            return .navigate(.categoryNav, .category(catalog.category(&rng)))

        case .category:
            let c = Int(page.arg)
            if roll.hit(55) { return .navigate(.productCard, .product(catalog.popularProduct(inCategory: c, &rng))) }
            if roll.hit(12) { return .navigate(.categoryNav, .category(catalog.category(&rng))) }
            if roll.hit(5) { return .click(.sortSelect) }
            if roll.hit(8) { return .click(.filterCheckbox) }
            if roll.hit(7) { return .search(query: Int32(catalog.query(&rng))) }
            if roll.hit(5) { return .navigate(.logo, .home) }
            if hasCart, roll.hit(5) { return .navigate(.cartLink, .cart) }
            return .view(previous)

        case .product:
            let p = page.arg
            let c = Int(catalog.productCategory[Int(p)])
            if justAddedToCart, roll.hit(buyer ? 70 : 35) { return .navigate(.cartLink, .cart) }
            roll = Roll(&rng)
            if roll.hit(buyer ? 20 : 4) {
                let quantity: Int32 = rng.percent(85) ? 1 : rng.percent(80) ? 2 : 3
                return .addToCart(product: p, quantity: quantity)
            }
            if roll.hit(22) {
                var related = catalog.popularProduct(inCategory: c, &rng)
                if related == Int(p) { related = catalog.popularProduct(&rng) }
                return .navigate(.relatedProduct, .product(related))
            }
            if canLogIn, roll.hit(3) { return goToLogin(returningTo: page) }
            if roll.hit(10) { return .navigate(.categoryNav, .category(rng.percent(70) ? c : catalog.category(&rng))) }
            if roll.hit(10) { return .click(.productImage) }
            if roll.hit(5) { return .click(.moreReviews) }
            if roll.hit(5) { return .search(query: Int32(catalog.query(&rng))) }
            if hasCart, roll.hit(4) { return .navigate(.cartLink, .cart) }
            return .view(previous)

        case .cart:
            guard hasCart else { return rng.percent(50) ? .navigate(.logo, .home) : .view(previous) }
            if roll.hit(buyer ? 70 : 30) { return .checkout }
            if roll.hit(10) { return .click(.quantityInput) }
            if roll.hit(10) { return .navigate(.productCard, .product(catalog.popularProduct(&rng))) }
            if roll.hit(5) { return .navigate(.logo, .home) }
            return .view(previous)

        case .checkout:
            guard hasCart else { return .navigate(.logo, .home) }
            if canLogIn, roll.hit(30) { return goToLogin(returningTo: .checkout) }
            if roll.hit(buyer ? 50 : 25) { return .purchase }
            if roll.hit(15) { return .click(.emailField) }
            if roll.hit(10) { return .view(.cart) }
            return .navigate(.logo, .home)

        case .confirmed:
            if loggedIn, roll.hit(25) { return .navigate(.accountLink, .account) }
            if roll.hit(35) { return .navigate(.productCard, .product(catalog.popularProduct(&rng))) }
            if roll.hit(30) { return .navigate(.logo, .home) }
            return .view(.home)

        case .search:
            let c = Int(catalog.queryCategory[Int(page.arg)])
            if roll.hit(60) { return .navigate(.productCard, .product(catalog.popularProduct(inCategory: c, &rng))) }
            if roll.hit(15) { return .search(query: Int32(catalog.query(&rng))) }
            if roll.hit(10) { return .navigate(.categoryNav, .category(c)) }
            if roll.hit(10) { return .click(.filterCheckbox) }
            return .view(previous)

        case .login:
            if canLogIn, roll.hit(80) { return .login }
            return rng.percent(60) ? .view(previous) : .navigate(.logo, .home)

        case .account:
            if roll.hit(40) { return .navigate(.categoryNav, .category(catalog.category(&rng))) }
            if roll.hit(30) { return .navigate(.productCard, .product(catalog.popularProduct(&rng))) }
            if roll.hit(20) { return .navigate(.logo, .home) }
            return .view(previous)
        }
    }

    private mutating func goToLogin(returningTo page: Page) -> Action {
        afterLogin = page
        return .navigate(.loginLink, .login)
    }

    /// Fills in `draft` for the current step of `action` and applies its effects.
    private mutating func perform(
        _ draft: inout EventDraft, _ rng: inout Xoshiro256StarStar, catalog: ShopCatalog, nextOrder: inout Int64
    ) {
        switch (action, step) {
        case (.land(let landing, let referrer), _):
            previous = landing
            page = landing
            draft.page = landing
            draft.body = .pageView(referrer: .external(referrer))
        case (.view(let destination), _):
            go(to: destination, &draft)
        case (.click(let target), _):
            draft.body = click(target, content: 0, &rng)
        case (.navigate(let target, let destination), 0):
            draft.body = click(target, content: destination.arg, &rng)
        case (.navigate(_, let destination), _):
            go(to: destination, &draft)

        case (.addToCart, 0):
            draft.body = click(.addToCart, content: 0, &rng)
        case (.addToCart(let product, let quantity), _):
            draft.body = .addToCart(product: product, quantity: quantity)
            cartItems += quantity
            cartCents += catalog.priceCents[Int(product)] * Int64(quantity)
            cartProducts = (product, cartProducts.0)
            justAddedToCart = true

        case (.checkout, 0):
            draft.body = click(.checkout, content: 0, &rng)
        case (.checkout, 1):
            go(to: .checkout, &draft)
        case (.checkout, _):
            draft.body = .beginCheckout(items: cartItems, valueCents: cartCents)

        case (.purchase, 0):
            draft.body = click(.buy, content: 0, &rng)
        case (.purchase, 1):
            draft.body = .purchase(purchase(&rng, nextOrder: &nextOrder))
            orders += 1
            cartItems = 0
            cartCents = 0
            cartProducts = (-1, -1)
        case (.purchase, _):
            go(to: .confirmed, &draft)

        case (.search, 0):
            draft.body = click(.searchSubmit, content: 0, &rng)
        case (.search(let query), 1):
            draft.body = .search(query: query, results: rng.percent(8) ? 0 : Int32(1 + rng.below(48)))
        case (.search(let query), _):
            go(to: .search(Int(query)), &draft)

        case (.login, 0):
            draft.body = click(.loginSubmit, content: 0, &rng)
        case (.login, 1):
            loggedIn = true
            draft.user = user
            draft.body = .login(withGoogle: rng.percent(20))
        case (.login, _):
            go(to: afterLogin, &draft)

        case (.none, _):
            preconditionFailure("a visitor writes an event only inside an action")
        }
    }

    /// A page view of `destination`, referred by the current page.
    private mutating func go(to destination: Page, _ draft: inout EventDraft) {
        draft.body = .pageView(referrer: .page(page))
        draft.page = destination
        previous = page
        page = destination
    }

    private func click(_ target: ClickTarget, content: Int32, _ rng: inout Xoshiro256StarStar) -> EventDraft.Body {
        let box = target.box
        return .click(target: target, content: content, x: rng.inRange(box.x), y: rng.inRange(box.y))
    }

    private func purchase(_ rng: inout Xoshiro256StarStar, nextOrder: inout Int64) -> EventDraft.Purchase {
        defer { nextOrder += 1 }
        let couponRoll = rng.below(100)
        return EventDraft.Purchase(
            order: nextOrder, revenueCents: cartCents, items: cartItems, firstOrder: orders == 0,
            expressShipping: rng.percent(15),
            coupon: couponRoll < 10 ? .welcome : couponRoll < 15 ? .null : .absent,
            clubPlan: rng.percent(4),
            skus: rng.percent(30) ? cartProducts : nil)
    }

    /// Milliseconds between a step and the one it causes.
    private func followUpLatency(_ rng: inout Xoshiro256StarStar) -> Int64 {
        switch (action, step) {
        case (.addToCart, _), (.search, 1): rng.inRange(5...60)
        case (.checkout, 2): rng.inRange(20...250)
        case (.purchase, 1): rng.inRange(400...2500)
        case (.login, 1): rng.inRange(200...900)
        default: rng.inRange(150...1200)  // a page load
        }
    }
}

/// One roll of a hundred-sided die, spent across a chain of "p % of the time" branches: each
/// branch that does not hit removes its share, so the percentages of a chain add up.
private struct Roll {
    private var left: Int

    init(_ rng: inout Xoshiro256StarStar) {
        left = rng.below(100)
    }

    mutating func hit(_ percent: Int) -> Bool {
        if left < percent { return true }
        left -= percent
        return false
    }
}
