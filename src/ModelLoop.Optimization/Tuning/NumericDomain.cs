namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Where TPE models a numeric parameter: log space for log parameters (a log int over [low − ½, high + ½], rounded
/// back), else the value itself with the step of an int or stepped float as a discrete grid.
/// </summary>
internal sealed record NumericDomain(double Low, double High, double? Step, bool Log)
{
    public static NumericDomain Of(ParameterDistribution d) => d.Log
        ? d.Kind == ParameterKind.Int
            ? new NumericDomain(Math.Log(Math.Max(d.Low - 0.5, d.Low / 2)), Math.Log(d.High + 0.5), null, true)
            : new NumericDomain(Math.Log(d.Low), Math.Log(d.High), null, true)
        : new NumericDomain(d.Low, d.High, d.Spacing, false);

    public double Forward(double x) => Log ? Math.Log(x) : x;

    public double Backward(double x) => Log ? Math.Exp(x) : x;
}
