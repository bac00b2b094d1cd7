// The seed's two-layer binary classifier on the Breast Cancer Wisconsin data (569 tumours, 30 features):
// Dense(5, ReLU) → Dense(1, Sigmoid), binary cross-entropy, Adam; an 80/20 split with a fixed seed and
// features standardized with the training split's statistics.
//
//   dotnet run -c Release --project samples/BinaryClassifier            100 epochs: ≈ 95–98% test accuracy
//   dotnet run -c Release --project samples/BinaryClassifier -- --ci    CI settings: 30 epochs
using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Samples;
using ModelLoop.Training;

var options = new SampleArgs(args);
var epochs = options.OptionalInt("epochs", "training epochs (default 100; 30 with --ci)") ?? (options.Ci ? 30 : 100);
var datasets = options.DatasetsFolder();
if (!options.Ready("BinaryClassifier: a two-layer network on Breast Cancer Wisconsin."))
    return;

// 30 float32 features per row; label 0 = malignant, 1 = benign.
using var table = CsvTable.Load(Path.Combine(datasets, "breast_cancer.csv"), "target", LabelKind.ClassIndex);
var (train, test) = table.Split(0.8, seed: 42);
CsvTable.Standardize(train, test);   // fitted on the training split only
Console.WriteLine($"Breast cancer: {train.Count} training and {test.Count} test rows, {train.SampleShape} features.");

using var model = new Sequential(train.SampleShape)
{
    new Dense(5, Activation.Relu),
    new Dense(1, Activation.Sigmoid),
};
model.Summary();
model.Compile(OptimizerOptions.Adam(learningRate: 0.01), Loss.BinaryCrossEntropy(), ["binary_accuracy"]);
model.Fit(train, new FitOptions { Epochs = epochs, BatchSize = 32, Seed = 42, Progress = ProgressMode.Silent });

var result = model.Evaluate(test);
Console.WriteLine($"Test loss: {result["loss"]:F4}");
Console.WriteLine($"Test accuracy: {result["binary_accuracy"]:P2}");
