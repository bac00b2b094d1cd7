namespace ModelLoop.Privacy.Audit;

/// <summary>The membership-inference attacks of a <see cref="MembershipAudit"/>.</summary>
public enum MembershipAttack
{
    /// <summary>Yeom et al. 2018: a lower loss on an example means "member" (score = −loss; the threshold is swept).</summary>
    LossThreshold,
    /// <summary>LiRA (Carlini et al. 2022) with shadow models, see <see cref="LikelihoodRatioAttack"/>.</summary>
    LikelihoodRatio,
}
