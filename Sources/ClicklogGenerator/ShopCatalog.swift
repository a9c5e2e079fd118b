/// The demo shop at `https://shop.example`: its pages, products, categories, search queries
/// and clickable elements, with every string pre-escaped for JSON, plus the popularity tables
/// that visitors draw from.
///
/// The shop is the same for every seed (it is built from a fixed seed): different seeds give
/// different traffic over one site, so product ids and URLs can be compared across files.
struct ShopCatalog: Sendable {
    /// 2000 products: enough for a long tail under Zipf popularity (1/(rank + 5): the best
    /// seller gets about 3 % of the product views, the top 10 about a sixth, the last thousand
    /// under 1 in 10 000 each).
    static let productCount = 2000
    /// Product ids are `1001`…`3000`.
    static let firstProductID = 1001
    /// Built once per process: it is immutable and identical for every generator.
    static let shared = ShopCatalog()

    /// URL and title of every page, indexed by `pageIndex`.
    private let urls: ByteTable
    private let titles: ByteTable
    let productIDs: ByteTable
    let productNames: ByteTable
    let categoryNames: ByteTable
    let queryTexts: ByteTable
    let referrers: ByteTable
    /// Selector and fixed text of each `ClickTarget`, by raw value (text empty when not fixed).
    let selectors: ByteTable
    let targetTexts: ByteTable

    /// Price of each product, in cents.
    let priceCents: [Int64]
    let productCategory: [Int32]
    let queryCategory: [Int32]

    private let productsByRank: [Int32]
    private let productPopularity: AliasTable
    /// Each category's products, most popular first, and Zipf popularity over them.
    private let categoryProducts: [[Int32]]
    private let categoryPopularity: [AliasTable]
    private let categoryPicker: AliasTable
    private let queryPicker: AliasTable
    private let referrerPicker: AliasTable

    init() {
        var rng = Xoshiro256StarStar(seed: 0x7368_6F70)
        let categories = Self.categories
        let categoryPicker = AliasTable(weights: categories.map(\.weight))
        var category: [Int32] = []
        var price: [Int64] = []
        var ids = ByteTable()
        var names = ByteTable()
        var nameStrings: [String] = []
        for i in 0..<Self.productCount {
            let c = categoryPicker.sample(&rng)
            let noun = Self.nouns[c][rng.below(Self.nouns[c].count)]
            let name = "\(Self.adjectives[rng.below(Self.adjectives.count)]) \(noun)"
            let euros = Int64(categories[c].euros.lowerBound + rng.below(categories[c].euros.count))
            category.append(Int32(c))
            price.append(euros * 100 - [10, 5, 1, 0][rng.below(4)])  // 38.90, 38.95, 38.99 or 39.00
            ids.add(String(Self.firstProductID + i))
            names.add(name)
            nameStrings.append(name)
        }
        // Popularity rank → product: a shuffle, so that best sellers are spread over categories.
        var byRank = (0..<Int32(Self.productCount)).map { $0 }
        for i in stride(from: byRank.count - 1, to: 0, by: -1) {
            byRank.swapAt(i, rng.below(i + 1))
        }
        var members = [[Int32]](repeating: [], count: categories.count)
        for p in byRank { members[Int(category[Int(p)])].append(p) }

        var urls = ByteTable()
        var titles = ByteTable()
        for kind in [Page.Kind.home, .cart, .checkout, .confirmed, .login, .account] {
            let page = Self.fixedPage(kind)
            urls.add(Self.origin + page.path)
            titles.add(page.title)
        }
        var categoryNames = ByteTable()
        for c in categories {
            urls.add("\(Self.origin)/category/\(c.slug)")
            titles.add("\(c.name) – \(Self.siteName)")
            categoryNames.add(c.name)
        }
        for i in 0..<Self.productCount {
            urls.add("\(Self.origin)/product/\(Self.firstProductID + i)")
            titles.add("\(nameStrings[i]) – \(Self.siteName)")
        }
        var queryTexts = ByteTable()
        for q in Self.queries {
            urls.add("\(Self.origin)/search?q=\(Self.formEncoded(q.text))")
            titles.add("Search results for “\(q.text)” – \(Self.siteName)")
            queryTexts.add(q.text)
        }
        var referrers = ByteTable()
        for r in Self.referrers { referrers.add(r.url) }
        var selectors = ByteTable()
        var targetTexts = ByteTable()
        for target in ClickTarget.allCases {
            selectors.add(target.selector)
            if case .fixed(let text) = target.text { targetTexts.add(text) } else { targetTexts.add("") }
        }

        self.urls = urls
        self.titles = titles
        self.productIDs = ids
        self.productNames = names
        self.categoryNames = categoryNames
        self.queryTexts = queryTexts
        self.referrers = referrers
        self.selectors = selectors
        self.targetTexts = targetTexts
        self.priceCents = price
        self.productCategory = category
        self.queryCategory = Self.queries.map { Int32($0.category) }
        self.productsByRank = byRank
        self.productPopularity = .zipf(count: Self.productCount, exponent: .one, offset: 5)
        self.categoryProducts = members
        self.categoryPopularity = members.map { .zipf(count: $0.count, exponent: .one, offset: 3) }
        self.categoryPicker = categoryPicker
        self.queryPicker = .zipf(count: Self.queries.count, exponent: .one)
        self.referrerPicker = AliasTable(weights: Self.referrers.map(\.weight))
    }

    /// Where `page`'s URL and title are in the page tables.
    @inline(__always)
    private func pageIndex(_ page: Page) -> Int {
        let families = 6
        switch page.kind {
        case .home, .cart, .checkout, .confirmed, .login, .account: return Int(page.kind.rawValue)
        case .category: return families + Int(page.arg)
        case .product: return families + Self.categories.count + Int(page.arg)
        case .search: return families + Self.categories.count + Self.productCount + Int(page.arg)
        }
    }

    @inline(__always)
    func writeURL(of page: Page, to writer: inout ByteWriter) {
        urls.write(pageIndex(page), to: &writer)
    }

    @inline(__always)
    func writeTitle(of page: Page, to writer: inout ByteWriter) {
        titles.write(pageIndex(page), to: &writer)
    }

    /// The longest string any event copies from the catalog (escaped), for sizing output.
    var longestEntry: Int {
        [urls, titles, productIDs, productNames, categoryNames, queryTexts, referrers, selectors, targetTexts]
            .map(\.longestEntry).max() ?? 0
    }

    /// A product by overall popularity (Zipf, exponent 1).
    @inline(__always)
    func popularProduct(_ rng: inout Xoshiro256StarStar) -> Int {
        Int(productsByRank[productPopularity.sample(&rng)])
    }

    /// A product of category `c` by popularity within it.
    @inline(__always)
    func popularProduct(inCategory c: Int, _ rng: inout Xoshiro256StarStar) -> Int {
        Int(categoryProducts[c][categoryPopularity[c].sample(&rng)])
    }

    @inline(__always)
    func category(_ rng: inout Xoshiro256StarStar) -> Int {
        categoryPicker.sample(&rng)
    }

    @inline(__always)
    func query(_ rng: inout Xoshiro256StarStar) -> Int {
        queryPicker.sample(&rng)
    }

    /// An index into `referrers` for a visit's landing page; 0 is direct traffic ("").
    @inline(__always)
    func externalReferrer(_ rng: inout Xoshiro256StarStar) -> Int {
        referrerPicker.sample(&rng)
    }
}
