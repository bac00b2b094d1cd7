namespace ModelLoop.Privacy.Audit;

/// <summary>What a <see cref="MembershipAudit"/> measured: each attack's AUC, low-FPR true-positive rates and ROC curve.</summary>
public sealed record MembershipAuditResult
{
    /// <summary>Members (training rows) in the audit population.</summary>
    public required int Members { get; init; }
    /// <summary>Non-members (held-out rows) in the audit population.</summary>
    public required int NonMembers { get; init; }
    /// <summary>Shadow models LiRA used (0: the loss attack alone).</summary>
    public required int ShadowModels { get; init; }
    /// <summary>The LiRA test applied.</summary>
    public required LiraVariant Variant { get; init; }
    /// <summary>Whether LiRA fitted a variance per example (else pooled).</summary>
    public required bool PerExampleVariance { get; init; }
    /// <summary>One result per attack run, loss threshold first.</summary>
    public required IReadOnlyList<MembershipAttackResult> Attacks { get; init; }
    /// <summary>
    /// Half-width of the band around 0.5 that an attack's AUC stays in with probability 99.99% when members and
    /// non-members are indistinguishable (<see cref="AttackStatistics.ChanceAucHalfWidth"/>): an AUC outside it is leakage.
    /// </summary>
    public required double ChanceAucHalfWidth { get; init; }
    /// <summary>What limits the figures (e.g. too few non-members to resolve 0.1% FPR). Defaults to none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The result of <paramref name="attack"/>.</summary>
    /// <exception cref="KeyNotFoundException">The audit did not run it (LiRA with 0 shadow models).</exception>
    public MembershipAttackResult this[MembershipAttack attack] =>
        Attacks.FirstOrDefault(a => a.Attack == attack)
        ?? throw new KeyNotFoundException($"The audit did not run the {attack} attack; it ran {string.Join(", ", Attacks.Select(a => a.Attack))}. LiRA needs ShadowModels ≥ 2.");
}
