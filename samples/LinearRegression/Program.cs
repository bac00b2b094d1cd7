// Linear regression by stochastic gradient descent on the diabetes data (442 patients, 10 baseline
// features, disease progression after one year): one Dense(1), mean squared error, SGD with momentum,
// features standardized with the training split's statistics. A linear model explains about half the
// variance (R² ≈ 0.4–0.5); the best possible R² is 1.
//
//   dotnet run -c Release --project samples/LinearRegression            200 epochs
//   dotnet run -c Release --project samples/LinearRegression -- --ci    CI settings: 50 epochs
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Samples;
using ModelLoop.Training;

var options = new SampleArgs(args);
var epochs = options.OptionalInt("epochs", "training epochs (default 200; 50 with --ci)") ?? (options.Ci ? 50 : 200);
var datasets = options.DatasetsFolder();
if (!options.Ready("LinearRegression: SGD linear regression on the diabetes data."))
    return;

// 10 float32 features per row; the target is float32 of shape (N, 1).
using var table = CsvTable.Load(Path.Combine(datasets, "diabetes.csv"), "target", LabelKind.Value);
var (train, test) = table.Split(0.8, seed: 42);
CsvTable.Standardize(train, test);   // fitted on the training split only
Console.WriteLine($"Diabetes: {train.Count} training and {test.Count} test rows, {train.SampleShape} features.");

using var model = new Sequential(train.SampleShape)
{
    new Dense(1),   // y = x·w + b
};
model.Summary();
model.Compile(OptimizerOptions.Sgd(learningRate: 0.01, momentum: 0.9), Loss.MeanSquaredError(), ["mse", "mae"]);
model.Fit(train, new FitOptions { Epochs = epochs, BatchSize = 32, Seed = 42, Progress = ProgressMode.Silent });

// R² = 1 − MSE / Var(y): the share of the target's variance the model explains.
var result = model.Evaluate(test);
var variance = Variance(test.Labels);
Console.WriteLine($"Test MSE: {result["mse"]:F1} (MAE {result["mae"]:F1}; target variance {variance:F1})");
Console.WriteLine($"Test R²: {1 - result["mse"] / variance:F3}");

static double Variance(TorchSharp.torch.Tensor values)
{
    using var variance = values.var(unbiased: false);
    return variance.item<float>();
}
