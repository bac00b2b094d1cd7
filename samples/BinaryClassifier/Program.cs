// The seed's two-layer binary classifier on the Breast Cancer Wisconsin data (569 tumours, 30 features):
// Dense(5, ReLU) → Dense(1, Sigmoid), binary cross-entropy, Adam. The data stage's route: TabularReader reads the
// CSV, DataSplits makes a stratified 80/20 split with a fixed seed, and the PreprocessingPipeline fitted on the
// training split only standardizes both splits.
//
//   dotnet run -c Release --project samples/BinaryClassifier            100 epochs: ≈ 95–98% test accuracy
//   dotnet run -c Release --project samples/BinaryClassifier -- --ci    CI settings: 30 epochs, 97.3–99.1% measured;
//                                                                       below the 94% floor it exits with code 1
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Splits;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Samples;
using ModelLoop.Training;

var options = new SampleArgs(args);
var epochs = options.OptionalInt("epochs", "training epochs (default 100; 30 with --ci)") ?? (options.Ci ? 30 : 100);
var datasets = options.DatasetsFolder();
if (!options.Ready("BinaryClassifier: a two-layer network on Breast Cancer Wisconsin."))
    return;

// 30 numeric columns; label 0 = malignant, 1 = benign.
var table = TabularReader.Read(Path.Combine(datasets, "breast_cancer.csv"));
var split = DataSplits.Stratified(table, "target", validation: 0, test: 0.2, seed: 42);
var pipeline = PreprocessingPipeline.Fit(table.Select(split.Train), new PreprocessingOptions { LabelColumn = "target" }); // training rows only
using var train = pipeline.ToDataset(table.Select(split.Train));   // float32 (N, 30), int64 labels (N)
using var test = pipeline.ToDataset(table.Select(split.Test));
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
options.RequireAtLeast("test accuracy", result["binary_accuracy"], floor: 0.94, "P1");
