import Foundation

/// How a call's model name found its price.
public struct ModelMatch: Hashable, Sendable {
    public enum Rule: String, Sendable, CaseIterable {
        /// The name is a priced model (`gpt-4o-2024-08-06`), or `provider/name` is.
        case exact
        /// Through the `model_aliases` table.
        case alias
        /// Equal after normalisation: provider prefixes, `.`/`@` as `-`, `-latest`, Bedrock's
        /// `anthropic.` and `-v1:0` (`anthropic/claude-sonnet-4.5` → `claude-sonnet-4-5`).
        case normalized
        /// Equal once a date suffix is dropped (`claude-opus-4-5-20990101` → `claude-opus-4-5`).
        case undated
        /// The conservative fuzzy step: an effort or thinking qualifier dropped
        /// (`gpt-5-codex-high`), or Claude's family and version swapped (`claude-4-sonnet`).
        case fuzzy
    }

    /// The priced model (`pricing.model`).
    public var key: String
    public var rule: Rule

    public init(key: String, rule: Rule) {
        self.key = key
        self.rule = rule
    }
}

/// Finds the priced model for a model name as a source wrote it (SPEC §6).
///
/// Stages, first hit wins: exact name (or `provider/name`), alias, normalised name, normalised
/// name without date suffix, then the fuzzy step. Every stage compares whole names for
/// equality after rewriting them, so a trailing version never matches another version:
/// `claude-opus-4` is not `claude-opus-4-5`, `gpt-5` is not `gpt-5.1`.
///
/// When several priced names normalise alike (`gpt-4o`, `azure/gpt-4o`, `openrouter/openai/gpt-4o`),
/// the plainest wins: the call's own provider's, then a name without provider prefix, then a
/// model vendor's own API or cloud (Anthropic, OpenAI, Google, Bedrock, Azure, ...); resellers and
/// gateways, which add margins, are matched only by their own provider or exact name. Ties go to
/// names without region prefix, then the shorter name.
public final class ModelMatcher: @unchecked Sendable {
    private let exact: [String: String]
    private let exactLowercased: [String: String]
    private let providers: [String: Set<String>]
    private let aliases: [String: String]
    private var cache: [String: ModelMatch?] = [:]

    private lazy var canonicalIndex: [String: [String]] = {
        var index: [String: [String]] = [:]
        for key in exact.keys { index[Self.canonical(key), default: []].append(key) }
        return index
    }()

    private lazy var undatedIndex: [String: [String]] = {
        var index: [String: [String]] = [:]
        for (canonical, keys) in canonicalIndex { index[Self.undated(canonical), default: []] += keys }
        return index
    }()

    /// - Parameters:
    ///   - models: every priced model name with the provider of each of its rows.
    ///   - aliases: alias → model name (`model_aliases`); the target is matched like a call's model.
    public init(models: [(model: String, provider: String?)], aliases: [String: String] = [:]) {
        var exact: [String: String] = [:]
        var lowered: [String: String] = [:]
        var providers: [String: Set<String>] = [:]
        for (model, provider) in models {
            exact[model] = model
            let folded = model.lowercased()
            if lowered[folded].map({ model < $0 }) ?? true { lowered[folded] = model }
            if let provider { providers[model, default: []].insert(provider.lowercased()) }
        }
        self.exact = exact
        self.exactLowercased = lowered
        self.providers = providers
        var folded: [String: String] = [:]
        for (alias, model) in aliases {
            folded[alias.lowercased()] = model
            folded[Self.canonical(alias)] = folded[Self.canonical(alias)] ?? model
        }
        self.aliases = folded
    }

    /// Guards `cache` and the lazy indexes: a price book is shared by threads (the indexer's
    /// writer, parallel tests), and a dictionary written from two threads crashes.
    private let lock = NSLock()

    /// The priced model for `model` as the call's `provider` served it; nil when unpriced.
    /// Safe to call from several threads.
    public func match(_ model: String, provider: String? = nil) -> ModelMatch? {
        lock.lock()
        defer { lock.unlock() }
        let cacheKey = (provider ?? "") + "\u{1F}" + model
        if let hit = cache[cacheKey] { return hit }
        let result = resolve(model, provider: provider?.lowercased(), viaAlias: true)
        cache[cacheKey] = result
        return result
    }

    private func resolve(_ model: String, provider: String?, viaAlias: Bool) -> ModelMatch? {
        let name = model.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        if let provider, let key = exactKey(provider + "/" + name) { return ModelMatch(key: key, rule: .exact) }
        if let key = exactKey(name) { return ModelMatch(key: key, rule: .exact) }
        let canonical = Self.canonical(name)
        if viaAlias, let target = aliases[name.lowercased()] ?? aliases[canonical] {
            if let key = exactKey(target) { return ModelMatch(key: key, rule: .alias) }
            if let found = resolve(target, provider: provider, viaAlias: false) {
                return ModelMatch(key: found.key, rule: .alias)
            }
        }
        if let key = best(canonicalIndex[canonical], provider: provider) { return ModelMatch(key: key, rule: .normalized) }
        if let key = best(undatedIndex[Self.undated(canonical)], provider: provider) {
            return ModelMatch(key: key, rule: .undated)
        }
        for variant in Self.fuzzyVariants(canonical) where variant != canonical {
            if let key = best(canonicalIndex[variant], provider: provider)
                ?? best(undatedIndex[Self.undated(variant)], provider: provider)
            {
                return ModelMatch(key: key, rule: .fuzzy)
            }
        }
        return nil
    }

    private func exactKey(_ name: String) -> String? {
        exact[name] ?? exactLowercased[name.lowercased()]
    }

    // MARK: - Choosing among names that normalise alike

    private func best(_ candidates: [String]?, provider: String?) -> String? {
        guard let candidates, !candidates.isEmpty else { return nil }
        let ranked = candidates.compactMap { key in rank(key, provider: provider).map { ($0, key) } }
        return ranked.min { a, b in a.0 != b.0 ? a.0.lexicographicallyPrecedes(b.0) : a.1 < b.1 }?.1
    }

    /// Lower is better; nil excludes the name (a reseller's price for someone else's calls).
    private func rank(_ key: String, provider: String?) -> [Int]? {
        let lowered = key.lowercased()
        let prefix = lowered.firstIndex(of: "/").map { String(lowered[..<$0]) }
        let keyProviders = providers[key] ?? []
        var form: Int
        var vendor = 0
        if let provider, prefix.map({ Self.sameProvider($0, provider) }) == true
            || keyProviders.contains(where: { Self.sameProvider($0, provider) })
        {
            form = 0
        } else if prefix == nil && Self.vendorPrefix(of: lowered) == nil {
            form = 1
        } else if let order = ([prefix].compactMap { $0 } + keyProviders).compactMap(Self.vendorOrder).min() {
            form = 2
            vendor = order
        } else {
            return nil
        }
        let regional = Self.hasRegion(lowered) ? 1 : 0
        let dated = Self.undated(Self.canonical(key)) == Self.canonical(key) ? 0 : 1
        // Later dates first among dated names: compare the negated digits of the date suffix.
        let date = -(Int(Self.dateSuffix(Self.canonical(key))?.digits ?? "") ?? 0)
        return [form, vendor, regional, dated, date, key.count]
    }

    private static func sameProvider(_ a: String, _ b: String) -> Bool {
        a.replacingOccurrences(of: "-", with: "_") == b.replacingOccurrences(of: "-", with: "_")
    }

    /// Providers that sell their own models, then the major clouds, in order of preference
    /// (LiteLLM's names): Bedrock's list prices are the vendors' own, others' sometimes differ.
    private static let vendors: [String] = [
        "anthropic", "openai", "text-completion-openai", "gemini", "xai", "deepseek", "mistral", "codestral",
        "cohere", "cohere_chat", "ai21", "moonshot", "zai", "dashscope", "minimax", "amazon_nova", "meta",
        "bedrock_converse", "bedrock", "vertex_ai", "azure", "azure_text",
    ]

    /// The provider's place among `vendors` (every `vertex_ai-*` counts as `vertex_ai`); nil for
    /// resellers and gateways.
    private static func vendorOrder(_ provider: String) -> Int? {
        vendors.firstIndex(of: provider.hasPrefix("vertex_ai") ? "vertex_ai" : provider)
    }

    /// A regional or otherwise qualified name (`us.anthropic.…`, `azure/eu/…`, `bedrock/us-east-1/…`).
    private static func hasRegion(_ key: String) -> Bool {
        if regions.contains(where: { key.hasPrefix($0) }) { return true }
        return key.split(separator: "/").count > 2
    }

    private static let regions = ["us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global."]
}

// MARK: - Normalisation

extension ModelMatcher {
    /// SPEC §6's normalised form: lower case, provider prefix dropped, `.`/`@` as `-`, no
    /// `-latest`, no 8-digit or ISO date suffix. `anthropic/claude-3.5-sonnet-20241022` →
    /// `claude-3-5-sonnet`.
    public static func normalize(_ model: String) -> String {
        undated(canonical(model))
    }

    /// The normalised form with its date suffix kept.
    static func canonical(_ model: String) -> String {
        var name = model.trimmingCharacters(in: .whitespaces).lowercased()
        if name.hasSuffix("[1m]") { name.removeLast(4) }  // Claude Code's 1M-context marker
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if let vendor = vendorPrefix(of: name) { name.removeFirst(vendor.count) }
        name = stripBedrockVersion(name)
        name = String(name.map { $0 == "." || $0 == "@" ? "-" : $0 })
        if name.hasSuffix("-latest") { name.removeLast(7) }
        return name
    }

    /// The name without an 8-digit (`-20250514`) or ISO (`-2024-08-06`) date suffix.
    static func undated(_ canonical: String) -> String {
        guard let date = dateSuffix(canonical) else { return canonical }
        return String(canonical.dropLast(date.length))
    }

    /// The date suffix's digits (`20250514`) and its length with the leading `-`, or nil.
    static func dateSuffix(_ name: String) -> (digits: String, length: Int)? {
        let chars = Array(name)
        func digits(_ range: Range<Int>) -> Bool {
            range.lowerBound >= 0 && range.allSatisfy { chars[$0].isASCII && chars[$0].isNumber }
        }
        let n = chars.count
        if n > 9, chars[n - 9] == "-", digits(n - 8..<n), plausibleDate(String(chars[(n - 8)...])) {
            return (String(chars[(n - 8)...]), 9)
        }
        if n > 11, chars[n - 11] == "-", chars[n - 6] == "-", chars[n - 3] == "-",
            digits(n - 10..<n - 6), digits(n - 5..<n - 3), digits(n - 2..<n)
        {
            let text = String(chars[(n - 10)..<(n - 6)]) + String(chars[(n - 5)..<(n - 3)]) + String(chars[(n - 2)...])
            return plausibleDate(text) ? (text, 11) : nil
        }
        return nil
    }

    private static func plausibleDate(_ digits: String) -> Bool {
        guard let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)),
            let day = Int(digits.suffix(2))
        else { return false }
        return (2000...2099).contains(year) && (1...12).contains(month) && (1...31).contains(day)
    }

    /// `us.anthropic.` or `anthropic.` (Bedrock, OCI), when the name starts with one.
    static func vendorPrefix(of name: String) -> String? {
        let vendors = ["anthropic.", "amazon.", "meta.", "mistral.", "cohere.", "ai21.", "openai.", "google.", "xai.",
                       "qwen.", "writer.", "moonshot.", "minimax.", "zai."]
        var prefix = ""
        var rest = Substring(name)
        if let region = regions.first(where: { rest.hasPrefix($0) }) {
            prefix = region
            rest = rest.dropFirst(region.count)
        }
        guard let vendor = vendors.first(where: { rest.hasPrefix($0) }) else { return nil }
        return prefix + vendor
    }

    /// Drops Bedrock's model version suffix (`-v1:0`, `-v2:0`).
    private static func stripBedrockVersion(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":"), name.index(after: colon) < name.endIndex,
            name[name.index(after: colon)...].allSatisfy(\.isNumber),
            let dash = name[..<colon].lastIndex(of: "-")
        else { return name }
        let v = name.index(after: dash)
        let digits = name.index(after: v)
        guard name[v] == "v", digits < colon, name[digits..<colon].allSatisfy(\.isNumber) else { return name }
        return String(name[..<dash])
    }

    /// Rewrites of a normalised name for the fuzzy step. Each keeps every version number.
    static func fuzzyVariants(_ canonical: String) -> [String] {
        var variants: [String] = []
        // Effort and thinking qualifiers that agents append to the model they call.
        let qualifiers = ["-thinking", "-xhigh", "-high", "-medium", "-low", "-minimal", ":thinking"]
        var stripped = canonical
        while let q = qualifiers.first(where: { stripped.hasSuffix($0) }) {
            stripped.removeLast(q.count)
            variants.append(stripped)
        }
        // Claude's two word orders: claude-3-5-sonnet ↔ claude-sonnet-3-5.
        for name in [canonical] + variants {
            if let swapped = swapClaudeOrder(name) { variants.append(swapped) }
        }
        return variants
    }

    private static func swapClaudeOrder(_ name: String) -> String? {
        let families = ["opus", "sonnet", "haiku"]
        let parts = name.split(separator: "-").map(String.init)
        guard parts.count >= 3, parts[0] == "claude" else { return nil }
        if let f = parts.dropFirst().firstIndex(where: families.contains), f > 1,
            parts[1..<f].allSatisfy({ $0.allSatisfy(\.isNumber) })
        {
            // claude-<version>-<family>-rest → claude-<family>-<version>-rest
            return (["claude", parts[f]] + parts[1..<f] + parts[(f + 1)...]).joined(separator: "-")
        }
        if families.contains(parts[1]) {
            var end = 2
            while end < parts.count, parts[end].count <= 2, parts[end].allSatisfy(\.isNumber) { end += 1 }
            guard end > 2 else { return nil }
            return (["claude"] + parts[2..<end] + [parts[1]] + parts[end...]).joined(separator: "-")
        }
        return nil
    }
}
