namespace ModelLoop.Privacy.Audit;

/// <summary>How far from 0.5 an attack's AUC may fall by chance alone.</summary>
public static class AttackStatistics
{
    /// <summary>The standard-normal quantile of a two-sided 99.99% band.</summary>
    public const double Z9999 = 3.890592;

    /// <summary>
    /// Half-width of the band 0.5 ± z·σ that the AUC of scores that do not depend on membership stays in: such an AUC is
    /// the Mann–Whitney U / (m·n), whose null standard deviation is σ = √((m + n + 1) / (12·m·n)) (no ties).
    /// </summary>
    /// <param name="members">m, the members scored.</param>
    /// <param name="nonMembers">n, the non-members scored.</param>
    /// <param name="z">Standard-normal quantile. Defaults to <see cref="Z9999"/> (two-sided 99.99%).</param>
    public static double ChanceAucHalfWidth(int members, int nonMembers, double z = Z9999)
    {
        if (members < 1 || nonMembers < 1)
            throw new ArgumentOutOfRangeException(members < 1 ? nameof(members) : nameof(nonMembers), $"The AUC needs at least one member and one non-member; received {members} members and {nonMembers} non-members.");
        return z * Math.Sqrt((members + nonMembers + 1.0) / (12.0 * members * nonMembers));
    }
}
