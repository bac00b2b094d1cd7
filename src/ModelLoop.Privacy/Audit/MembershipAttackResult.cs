using ModelLoop.Evaluation;

namespace ModelLoop.Privacy.Audit;

/// <summary>
/// How well one attack tells the audit population's members from its non-members, from its scores (higher = member).
/// </summary>
/// <param name="Attack">Which attack.</param>
/// <param name="Auc">Area under the attack's ROC curve: 0.5 is guessing, 1 is every member found.</param>
/// <param name="TprAt1PercentFpr">The largest true-positive rate at a threshold whose false-positive rate is ≤ 1% (Carlini et al.'s headline figure).</param>
/// <param name="TprAt01PercentFpr">The same at ≤ 0.1% false positives (0 when there are under 1,000 non-members, since the lowest non-zero rate is then above 0.1%).</param>
/// <param name="BalancedAccuracy">max over thresholds of (TPR + 1 − FPR) / 2: the best threshold chosen on the audit set itself, an upper bound for an attacker who must pick it beforehand.</param>
/// <param name="Roc">The ROC curve (<see cref="ClassificationMetrics.RocCurve"/>, members positive).</param>
public sealed record MembershipAttackResult(MembershipAttack Attack, double Auc, double TprAt1PercentFpr, double TprAt01PercentFpr, double BalancedAccuracy, RocCurve Roc)
{
    /// <summary>The result of an attack's scores on the audit population.</summary>
    /// <param name="attack">Which attack made the scores.</param>
    /// <param name="scores">One score per example, higher = more likely a member.</param>
    /// <param name="isMember">Whether each example was trained on.</param>
    public static MembershipAttackResult From(MembershipAttack attack, IReadOnlyList<double> scores, IReadOnlyList<bool> isMember)
    {
        var roc = ClassificationMetrics.RocCurve(scores, isMember);
        var auc = ClassificationMetrics.RocAuc(scores, isMember);
        var balanced = 0.0;
        for (var i = 0; i < roc.FalsePositiveRate.Length; i++)
            balanced = Math.Max(balanced, (roc.TruePositiveRate[i] + 1 - roc.FalsePositiveRate[i]) / 2);
        return new MembershipAttackResult(attack, auc, TprAtFpr(roc, 0.01), TprAtFpr(roc, 0.001), balanced, roc);
    }

    /// <summary>The largest TPR among the curve's points with FPR ≤ <paramref name="fpr"/> (no interpolation, as Carlini et al. report it).</summary>
    public static double TprAtFpr(RocCurve roc, double fpr)
    {
        ArgumentNullException.ThrowIfNull(roc);
        var best = 0.0;
        for (var i = 0; i < roc.FalsePositiveRate.Length; i++)
            if (roc.FalsePositiveRate[i] <= fpr)
                best = Math.Max(best, roc.TruePositiveRate[i]);
        return best;
    }
}
