namespace ModelLoop.Data.Preprocessing;

/// <summary>How numeric features are scaled, with statistics fitted on the training data.</summary>
public enum Scaling
{
    /// <summary>Mean 0, standard deviation 1 (population std; constant columns are only centred). The default.</summary>
    Standard,
    /// <summary>[0, 1] over the training range (constant columns become 0).</summary>
    MinMax,
    /// <summary>Values as they are (after imputation and clipping).</summary>
    None,
}
