import TallyKit

/// The registry's list of built-in analyses (SPEC §5): one line per file in this folder.
/// A test fails when a plugin file is missing here.
public enum BuiltinAnalyses {
    public static let all: [any Analysis.Type] = [
        Anomalies.self,
        CacheEfficiency.self,
        CostByAgent.self,
        CostByModel.self,
        CostByProject.self,
        CostBySession.self,
        CostByTool.self,
        CostTrend.self,
        Exchanges.self,
        Integrity.self,
        PricingCoverage.self,
        StaleCosts.self,
        SuspiciousTokens.self,
        Tables.self,
        TokenAudit.self,
        TopSessions.self,
    ]
}
