/// The words the demo shop is made of. Some deliberately need JSON escaping or are not ASCII
/// (`café "deals"`, `3\4 sleeve`, `größe 42`, `🎁`), so that every consumer of the generated
/// traffic meets escapes and multi-byte UTF-8 on the first screen of data.
extension ShopCatalog {
    static let origin = "https://shop.example"
    static let siteName = "Demo Shop"

    /// Category slug, display name, price range in whole euros, and share of the navigation
    /// clicks it gets.
    static let categories: [(slug: String, name: String, euros: ClosedRange<Int>, weight: Double)] = [
        ("shoes", "Shoes", 39...179, 16),
        ("shirts", "Shirts", 19...69, 14),
        ("trousers", "Trousers", 29...99, 11),
        ("jackets", "Jackets", 59...249, 10),
        ("dresses", "Dresses", 29...149, 10),
        ("knitwear", "Knitwear", 29...129, 8),
        ("bags", "Bags", 19...199, 7),
        ("accessories", "Accessories", 9...79, 7),
        ("sportswear", "Sportswear", 19...99, 6),
        ("sale", "Sale", 9...59, 11),
    ]

    /// Nouns per category, in the order of `categories`.
    static let nouns: [[String]] = [
        ["Sneaker", "Runner", "Loafer", "Chelsea Boot", "Sandal", "Derby"],
        ["Oxford Shirt", "Linen Shirt", "Polo", "T-Shirt", "Flannel Shirt", "Henley"],
        ["Chinos", "Jeans", "Cargo Pants", "Joggers", "Shorts", "Wool Trousers"],
        ["Parka", "Rain Jacket", "Denim Jacket", "Bomber", "Puffer", "Trench Coat"],
        ["Wrap Dress", "Maxi Dress", "Shirt Dress", "Slip Dress", "Knit Dress", "Midi Dress"],
        ["Cardigan", "Crew Sweater", "Turtleneck", "Hoodie", "Vest", "Cable Knit"],
        ["Backpack", "Tote", "Weekender", "Crossbody Bag", "Wallet", "Laptop Sleeve"],
        ["Beanie", "Scarf", "Belt", "Sunglasses", "Cap", "Gloves"],
        ["Running Tights", "Track Jacket", "Sports Bra", "Training Tee", "Yoga Pants", "Windbreaker"],
        ["Outlet Tee", "Last-Season Jacket", "Archive Sneaker", "Sample Dress", "Seconds Jeans", "Remnant Scarf"],
    ]

    static let adjectives = [
        "Classic", "Slim", "Relaxed", "Vintage", "Organic", "Everyday", "Premium", "Essential",
        "Urban", "Alpine", "Coastal", "Nordic", "Café", "Retro", "Soft", "Lightweight",
    ]

    /// Search queries, most popular first, each with the category whose products its results show.
    static let queries: [(text: String, category: Int)] = [
        ("sneakers", 0), ("jeans", 2), ("rain jacket", 3), ("summer dress", 4), ("linen shirt", 1),
        ("sale", 9), ("backpack", 6), ("wool sweater", 5), ("running shoes", 0), ("white t-shirt", 1),
        ("winter coat", 3), (#"café "deals""#, 9), ("sunglasses", 7), ("chinos", 2), ("yoga pants", 8),
        ("t-shirt 100% cotton", 1), ("größe 42", 0), ("cardigan", 5), (#"3\4 sleeve"#, 1),
        ("tote bag", 6), ("red dress", 4), ("rock & roll tee", 1), ("🎁 gift ideas", 7),
        (#""slim fit" jeans"#, 2), ("size 10/11", 0), ("パーカー", 5), ("naïve print dress", 4),
        ("belt", 7), ("track jacket", 8), ("hoodie", 5),
    ]

    /// External referrers of a visit's landing page, with their share; "" is direct traffic
    /// (a browser sends an empty `document.referrer`).
    static let referrers: [(url: String, weight: Double)] = [
        ("", 35), ("https://www.google.com/", 38), ("https://www.bing.com/", 5),
        ("https://duckduckgo.com/", 3), ("https://www.facebook.com/", 6),
        ("https://www.instagram.com/", 5), ("https://t.co/", 3), ("https://www.reddit.com/", 3),
        ("https://www.pinterest.com/", 2),
    ]

    /// Path and title of the pages that exist once.
    static func fixedPage(_ kind: Page.Kind) -> (path: String, title: String) {
        switch kind {
        case .home: ("/", "\(siteName) – Clothing, Shoes & Accessories")
        case .cart: ("/cart", "Your cart – \(siteName)")
        case .checkout: ("/checkout", "Checkout – \(siteName)")
        case .confirmed: ("/order/confirmed", "Thank you for your order – \(siteName)")
        case .login: ("/login", "Sign in – \(siteName)")
        case .account: ("/account", "Your account – \(siteName)")
        case .category, .product, .search: preconditionFailure("not a single page: \(kind)")
        }
    }

    /// `application/x-www-form-urlencoded` as browsers write a GET form: unreserved bytes kept,
    /// space as `+`, everything else `%XX`.
    static func formEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "*"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
            }
        }
        return out
    }
}
