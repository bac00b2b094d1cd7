namespace ModelLoop.Optimization.Tuning;

/// <summary>What a search-space parameter draws: a real number, an integer, or one of a list of choices.</summary>
public enum ParameterKind
{
    Float,
    Int,
    Categorical,
}
