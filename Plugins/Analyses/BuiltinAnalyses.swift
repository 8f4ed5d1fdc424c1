import TallyKit

/// The registry's list of built-in analyses (SPEC §5): one line per file in this folder.
/// A test fails when a plugin file is missing here.
public enum BuiltinAnalyses {
    public static let all: [any Analysis.Type] = [
        CacheEfficiency.self,
        CostByAgent.self,
        CostByModel.self,
        CostByProject.self,
        CostBySession.self,
        CostByTool.self,
        CostTrend.self,
        Exchanges.self,
        Tables.self,
        TopSessions.self,
    ]
}
