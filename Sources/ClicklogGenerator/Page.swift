/// One page of the demo shop, as a kind and, for the page families, an index into the catalog.
struct Page: Hashable, Sendable {
    enum Kind: UInt8, Sendable {
        case home, cart, checkout, confirmed, login, account
        /// `/category/<slug>`; `arg` is the category index.
        case category
        /// `/product/<id>`; `arg` is the product index.
        case product
        /// `/search?q=…`; `arg` is the query index.
        case search
    }

    var kind: Kind
    var arg: Int32

    init(_ kind: Kind, _ arg: Int32 = 0) {
        self.kind = kind
        self.arg = arg
    }

    static let home = Page(.home)
    static let cart = Page(.cart)
    static let checkout = Page(.checkout)
    static let confirmed = Page(.confirmed)
    static let login = Page(.login)
    static let account = Page(.account)

    static func category(_ index: Int) -> Page { Page(.category, Int32(index)) }
    static func product(_ index: Int) -> Page { Page(.product, Int32(index)) }
    static func search(_ index: Int) -> Page { Page(.search, Int32(index)) }
}
