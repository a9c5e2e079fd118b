/// The elements of the demo shop a visitor clicks, with the CSS selector the snippet would
/// record, the element's text and where on a 1440-pixel-wide page it sits.
enum ClickTarget: UInt8, CaseIterable, Sendable {
    case categoryNav, productCard, relatedProduct, addToCart, cartLink, checkout, buy, searchSubmit
    case loginLink, loginSubmit, logo, productImage, moreReviews, sortSelect, filterCheckbox
    case heroNext, emailField, accountLink, quantityInput

    var selector: String {
        switch self {
        case .categoryNav: "nav a.category"
        case .productCard: ".product-grid a.product-card"
        case .relatedProduct: ".related a.product-card"
        case .addToCart: "#add-to-cart"
        case .cartLink: "header a.cart-link"
        case .checkout: "a#checkout"
        case .buy: #"button[data-clicklog="buy"]"#
        case .searchSubmit: "form#search button"
        case .loginLink: "header a.login"
        case .loginSubmit: #"form#login button[type="submit"]"#
        case .logo: "header a.logo"
        case .productImage: "img.product-image"
        case .moreReviews: ".reviews button.more"
        case .sortSelect: "select#sort"
        case .filterCheckbox: #".filters input[type="checkbox"]"#
        case .heroNext: ".hero button.next"
        case .emailField: "input#email"
        case .accountLink: "header a.account"
        case .quantityInput: ".cart input.quantity"
        }
    }

    /// What the element says, when it is fixed.
    var text: FixedOrContent {
        switch self {
        case .categoryNav: .categoryName
        case .productCard, .relatedProduct: .productName
        case .addToCart: .fixed("Add to cart")
        case .cartLink: .fixed("Cart")
        case .checkout: .fixed("Checkout")
        case .buy: .fixed("Place order")
        case .searchSubmit: .fixed("Search")
        case .loginLink, .loginSubmit: .fixed("Sign in")
        case .logo: .fixed("Demo Shop")
        case .moreReviews: .fixed("Show more reviews")
        case .sortSelect: .fixed("Sort by: popularity")
        case .heroNext: .fixed("›")
        case .accountLink: .fixed("My account")
        case .productImage, .filterCheckbox, .emailField, .quantityInput: .none
        }
    }

    enum FixedOrContent: Equatable {
        case fixed(String)
        /// The name of the category the click leads to.
        case categoryName
        /// The name of the product the click leads to.
        case productName
        /// Images and form fields: no `text` field.
        case none
    }

    /// The element's box on the page, in CSS pixels.
    var box: (x: ClosedRange<Int64>, y: ClosedRange<Int64>) {
        switch self {
        case .categoryNav: (180...1180, 56...72)
        case .productCard: (80...1360, 260...2600)
        case .relatedProduct: (80...1360, 1400...1900)
        case .addToCart: (960...1200, 560...616)
        case .cartLink: (1330...1400, 16...48)
        case .checkout: (1080...1360, 620...676)
        case .buy: (1000...1360, 880...944)
        case .searchSubmit: (860...900, 16...48)
        case .loginLink, .accountLink: (1240...1310, 16...48)
        case .loginSubmit: (560...880, 420...468)
        case .logo: (24...160, 12...52)
        case .productImage: (80...760, 140...860)
        case .moreReviews: (560...880, 1800...1840)
        case .sortSelect: (1180...1360, 180...212)
        case .filterCheckbox: (40...240, 240...900)
        case .heroNext: (1340...1390, 300...420)
        case .emailField: (400...1000, 260...300)
        case .quantityInput: (900...960, 260...700)
        }
    }
}
