namespace ModelLoop.Privacy.Accounting;

/// <summary>An (ε, δ) guarantee and the Rényi order α at which the RDP→(ε, δ) conversion was tightest.</summary>
/// <param name="Epsilon">ε; +∞ when the mechanism gives no privacy (no noise).</param>
/// <param name="Delta">δ, the failure probability the ε holds at.</param>
/// <param name="Order">The Rényi order α that gave the smallest ε.</param>
public sealed record PrivacySpent(double Epsilon, double Delta, double Order);
