namespace ModelLoop.Evaluation;

/// <summary>
/// Metrics sliced by group, and the two gaps (fairlearn's definitions, for <see cref="PositiveClass"/>):
/// <see cref="DemographicParityDifference"/> = max − min selection rate (share predicted positive) over groups;
/// <see cref="EqualizedOddsDifference"/> = the larger of the max − min true positive rate and the max − min
/// false positive rate. Both are 0 for a model that treats the groups alike. Rates a group cannot have
/// (no positive or no negative sample) are left out of the gaps and named in <see cref="Warnings"/>.
/// </summary>
public sealed record FairnessReport(
    string GroupName,
    int PositiveClass,
    IReadOnlyList<GroupMetrics> Groups,
    double DemographicParityDifference,
    double EqualizedOddsDifference,
    IReadOnlyList<string> Warnings);
