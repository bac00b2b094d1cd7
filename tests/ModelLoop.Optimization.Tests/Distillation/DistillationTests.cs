using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Optimization.Distillation;
using ModelLoop.Optimization.Tests.Pruning;
using ModelLoop.Training;
using static TorchSharp.torch;
using ModelLoop.Tests.Training;

namespace ModelLoop.Optimization.Tests.Distillation;

/// <summary>Knowledge distillation: the loss by hand, α = 0 is plain training, shape checks, the job's lineage.</summary>
public sealed class DistillationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_distillation_loss_equals_a_hand_computation_on_two_examples()
    {
        float[] student = [1.0f, 2.0f, 0.5f, -1.0f, 0.0f, 3.0f];
        float[] teacher = [2.0f, 1.0f, 0.0f, 0.5f, 0.5f, 2.0f];
        using var s = tensor(student).reshape(2, 3);
        using var t = tensor(teacher).reshape(2, 3);
        using var hard = tensor(0.8f);
        const double T = 2.5, alpha = 0.3;

        using var loss = DistillationLoss.Compute(s, t, hard, new DistillationOptions { Temperature = T, Alpha = alpha });

        double Kl(int row)
        {
            double[] Soft(float[] logits) => Enumerable.Range(0, 3).Select(i => Math.Exp(logits[row * 3 + i] / T)).ToArray() is var e ? e.Select(v => v / e.Sum()).ToArray() : [];
            var (p, q) = (Soft(teacher), Soft(student));
            return Enumerable.Range(0, 3).Sum(i => p[i] * Math.Log(p[i] / q[i]));
        }
        var expected = (1 - alpha) * 0.8 + alpha * T * T * (Kl(0) + Kl(1)) / 2;
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void The_decoupled_loss_equals_a_hand_computation_of_its_target_and_non_target_terms()
    {
        float[] student = [1.0f, 2.0f, 0.5f, -1.0f, 0.0f, 3.0f];
        float[] teacher = [2.0f, 1.0f, 0.0f, 0.5f, 0.5f, 2.0f];
        long[] labels = [0, 2];
        using var scope = NewDisposeScope();
        const double T = 2.0, alpha = 0.5, beta = 3.0, warmup = 0.4;

        var loss = DistillationLoss.ComputeDecoupled(tensor(student).reshape(2, 3), tensor(teacher).reshape(2, 3), tensor(labels), tensor(0.8f),
            new DistillationOptions { Method = DistillationMethod.Decoupled, Temperature = T, Alpha = alpha, Beta = beta }, warmup);

        double[] Soft(float[] logits, int row, IEnumerable<int> classes)
        {
            var e = classes.Select(i => Math.Exp(logits[row * 3 + i] / T)).ToArray();
            return [.. e.Select(v => v / e.Sum())];
        }
        static double Kl(double[] p, double[] q) => p.Zip(q).Sum(pq => pq.First * Math.Log(pq.First / pq.Second));
        double tckd = 0, nckd = 0;
        for (var row = 0; row < 2; row++)
        {
            var (pt, ps) = (Soft(teacher, row, [0, 1, 2]), Soft(student, row, [0, 1, 2]));
            var y = (int)labels[row];
            tckd += Kl([pt[y], 1 - pt[y]], [ps[y], 1 - ps[y]]) / 2;
            var others = Enumerable.Range(0, 3).Where(c => c != y).ToArray();
            nckd += Kl(Soft(teacher, row, others), Soft(student, row, others)) / 2;
        }
        Assert.Equal(0.8 + warmup * T * T * (alpha * tckd + beta * nckd), loss.item<float>(), 5);
    }

    [Fact]
    public void Decoupled_distillation_with_zero_weights_trains_exactly_like_plain_cross_entropy_and_reads_the_labels()
    {
        var (train, teacher, fit) = Setup(seed: 7);
        using var data = train;
        using var model = teacher;
        DistillationOptions Decoupled(double alpha, double beta) => new() { Method = DistillationMethod.Decoupled, Alpha = alpha, Beta = beta, WarmupFraction = 0 };
        using var plain = SmallStudent(seed: 71);
        using var silent = SmallStudent(seed: 71);
        using var decoupled = SmallStudent(seed: 71);

        plain.Fit(train, fit);
        silent.Fit(train, fit with { Plugins = [new DistillationPlugin(teacher, Decoupled(0, 0))] });
        decoupled.Fit(train, fit with { Plugins = [new DistillationPlugin(teacher, Decoupled(1, 8))] });

        Assert.All(plain.Network.parameters().Zip(silent.Network.parameters()), pair => Assert.True(pair.First.allclose(pair.Second, 0, 0)));
        Assert.Contains(plain.Network.parameters().Zip(decoupled.Network.parameters()), pair => !pair.First.allclose(pair.Second, 1e-4, 1e-6));
    }

    [Theory]
    [InlineData(-1.0, 0.1, "beta")]
    [InlineData(8.0, 1.0, "warmup fraction")]
    [InlineData(8.0, -0.1, "warmup fraction")]
    public void Decoupled_knobs_out_of_range_are_refused_by_name(double beta, double warmup, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => new DistillationOptions { Method = DistillationMethod.Decoupled, Beta = beta, WarmupFraction = warmup }.Validate());

        Assert.StartsWith(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ensemble_logits_soften_at_T_into_the_mean_of_the_members_softened_predictions()
    {
        float[][] members = [[1.0f, 2.0f, 0.5f, -1.0f, 0.0f, 3.0f], [0.0f, -2.0f, 4.0f, 1.0f, 1.0f, 1.0f], [3.0f, 0.0f, 0.0f, 2.0f, -1.0f, 0.5f]];
        using var scope = NewDisposeScope();
        const double T = 2.5;

        var ensemble = DistillationLoss.EnsembleLogits([.. members.Select(m => tensor(m).reshape(2, 3))], T);
        var softened = nn.functional.softmax(ensemble / T, 1).data<float>().ToArray();

        for (var row = 0; row < 2; row++)
            for (var c = 0; c < 3; c++)
            {
                var expected = members.Average(m =>
                {
                    var e = Enumerable.Range(0, 3).Select(i => Math.Exp(m[row * 3 + i] / T)).ToArray();
                    return e[c] / e.Sum();
                });
                Assert.Equal(expected, softened[row * 3 + c], 5);
            }
    }

    [Fact]
    public void An_ensemble_of_one_teacher_twice_distils_exactly_like_that_teacher_alone()
    {
        var (train, teacher, fit) = Setup(seed: 9);
        using var data = train;
        using var model = teacher;
        var options = new DistillationOptions { Temperature = 3, Alpha = 0.8 };
        using var single = SmallStudent(seed: 91);
        using var twice = SmallStudent(seed: 91);
        using var other = SmallStudent(seed: 91);
        random.manual_seed(92);
        using var second = CompressionFixtures.SmallCnn();
        _ = second.Network;

        single.Fit(train, fit with { Plugins = [new DistillationPlugin(teacher, options)] });
        twice.Fit(train, fit with { Plugins = [new DistillationPlugin([teacher, teacher], options)] });
        other.Fit(train, fit with { Plugins = [new DistillationPlugin([teacher, second], options)] });

        Assert.All(single.Network.parameters().Zip(twice.Network.parameters()), pair => Assert.True(pair.First.allclose(pair.Second, 1e-5, 1e-6)));
        Assert.Contains(single.Network.parameters().Zip(other.Network.parameters()), pair => !pair.First.allclose(pair.Second, 1e-4, 1e-6)); // the second member counts
    }

    [Fact]
    public void Teachers_that_predict_other_classes_cannot_make_an_ensemble()
    {
        using var teacher = CompressionFixtures.SmallCnn();
        using var other = new Sequential(1, 8, 8) { new Flatten(), new Dense(4) };

        var error = Assert.Throws<ArgumentException>(() => new DistillationPlugin([teacher, other], new DistillationOptions()));

        Assert.Contains("Teacher 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("(4)", error.Message, StringComparison.Ordinal);
        Assert.Contains("(3)", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new DistillationPlugin(Array.Empty<Model>(), new DistillationOptions()));
    }

    /// <summary>96 images, a teacher with weights drawn from seed × 10, and 2 epochs of batch 32 seeded by <paramref name="seed"/>.</summary>
    private static (Data.TensorDataset Train, Sequential Teacher, FitOptions Fit) Setup(int seed)
    {
        var train = CompressionFixtures.Images(96, seed);
        random.manual_seed(seed * 10);
        var teacher = CompressionFixtures.SmallCnn();
        _ = teacher.Network;
        return (train, teacher, new FitOptions { Epochs = 2, BatchSize = 32, Seed = seed, Progress = ProgressMode.Silent });
    }

    /// <summary>A compiled 8×8-image student, built now from <paramref name="seed"/> so that every call starts from the same weights.</summary>
    private static Sequential SmallStudent(long seed)
    {
        random.manual_seed(seed);
        var model = new Sequential(1, 8, 8) { new Flatten(), new Dense(16, Activation.Relu), new Dense(3) };
        _ = model.Network;
        model.Compile(OptimizerOptions.Adam(0.01), Loss.CrossEntropy(), ["accuracy"]);
        return model;
    }

    [Fact]
    public void Alpha_zero_trains_exactly_like_plain_cross_entropy()
    {
        using var train = CompressionFixtures.Images(128, seed: 6);
        random.manual_seed(60);
        using var teacher = CompressionFixtures.SmallCnn();
        _ = teacher.Network;
        Sequential Student() => SmallStudent(seed: 61);
        using var plain = Student();
        using var distilled = Student();
        var fit = new FitOptions { Epochs = 2, BatchSize = 32, Seed = 6, Progress = ProgressMode.Silent };

        plain.Fit(train, fit);
        distilled.Fit(train, fit with { Plugins = [new DistillationPlugin(teacher, new DistillationOptions { Alpha = 0 })] });
        using var other = Student();
        other.Fit(train, fit with { Plugins = [new DistillationPlugin(teacher, new DistillationOptions { Alpha = 0.5 })] });

        var weights = plain.Network.parameters().Zip(distilled.Network.parameters());
        Assert.All(weights, pair => Assert.True(pair.First.allclose(pair.Second, 0, 0)));
        Assert.Contains(plain.Network.parameters().Zip(other.Network.parameters()), pair => !pair.First.allclose(pair.Second, 1e-4, 1e-6)); // the teacher does count when α > 0
    }

    [Fact]
    public void The_teacher_sees_the_same_augmented_view_as_the_student()
    {
        // "Consistent teaching" (Beyer et al. 2022): with augmentation, the teacher must score the very view the student
        // trains on. A fixed flip as the augmentation must then train exactly like no augmentation on flipped images.
        using var train = CompressionFixtures.Images(96, seed: 8);
        using var flipped = new Data.TensorDataset(train.Features.flip(3), train.Labels.clone());
        random.manual_seed(80);
        using var teacher = CompressionFixtures.SmallCnn();
        _ = teacher.Network;
        Sequential Student() => SmallStudent(seed: 81);
        var fit = new FitOptions { Epochs = 2, BatchSize = 32, Seed = 8, Progress = ProgressMode.Silent, Plugins = [new DistillationPlugin(teacher, new DistillationOptions { Alpha = 1 })] };
        using var augmented = Student();
        using var preflipped = Student();

        augmented.Fit(train, fit with { Augment = batch => batch.flip(3) });
        preflipped.Fit(flipped, fit);

        Assert.All(augmented.Network.parameters().Zip(preflipped.Network.parameters()), pair => Assert.True(pair.First.allclose(pair.Second, 1e-5, 1e-6)));
    }

    [Fact]
    public void A_student_with_other_classes_than_the_teacher_is_refused_before_training()
    {
        using var teacher = CompressionFixtures.SmallCnn();
        using var student = new Sequential(1, 8, 8) { new Flatten(), new Dense(4) };
        using var train = CompressionFixtures.Images(64, seed: 1);
        student.Compile(OptimizerOptions.Adam(), Loss.CrossEntropy());
        var before = student.Network.parameters().Select(p => p.detach().clone()).ToList();

        var error = Assert.Throws<ArgumentException>(() => student.Fit(train, new FitOptions { Progress = ProgressMode.Silent, Plugins = [new DistillationPlugin(teacher, new DistillationOptions())] }));

        Assert.Contains("(4)", error.Message, StringComparison.Ordinal);
        Assert.Contains("(3)", error.Message, StringComparison.Ordinal);
        Assert.All(student.Network.parameters().Zip(before), pair => Assert.True(pair.First.allclose(pair.Second, 0, 0)));
    }

    [Fact]
    public void A_student_with_another_input_shape_is_refused_naming_both()
    {
        using var teacher = CompressionFixtures.SmallCnn();
        using var student = new Sequential(64) { new Dense(3) };

        var error = Assert.Throws<ArgumentException>(() => DistillationPlugin.CheckCompatible(teacher, student));

        Assert.Contains("(64)", error.Message, StringComparison.Ordinal);
        Assert.Contains("(1, 8, 8)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, 0.5, "temperature")]
    [InlineData(-1.0, 0.5, "temperature")]
    [InlineData(4.0, 1.5, "alpha")]
    [InlineData(4.0, -0.1, "alpha")]
    public void Temperature_and_alpha_out_of_range_are_refused_by_name(double temperature, double alpha, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => new DistillationOptions { Temperature = temperature, Alpha = alpha }.Validate());

        Assert.StartsWith(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Distilling_a_package_writes_a_smaller_student_package_naming_its_teacher()
    {
        var teacher = CompressionFixtures.TrainParent(_folder.File("teacher"), hidden: [128, 64]);
        var student = CompressionFixtures.ParentConfig(hidden: [8]) with { Data = new DataConfig() }; // the job replaces the data with the teacher's

        var result = DistillationJob.Run(teacher, student, new DistillationOptions(), new DistillationJobOptions { Training = CompressionFixtures.Options(_folder.File("student")) });

        using var package = ModelPackage.Load(result.PackagePath);
        Assert.Equal(Path.GetFullPath(teacher), package.Lineage.ParentModel);
        Assert.Equal(CompressionFixtures.BreastCancer().Source, TrainingConfig.FromJsonNode(package.Config).Data.Source);
        Assert.True(result.Parameters * 4 < result.TeacherParameters, $"{result.Parameters} vs {result.TeacherParameters}");
        Assert.Equal(result.TeacherParameters, package.Metadata.Metrics["teacher_parameters"]);
        Assert.InRange(result.Test["accuracy"], 0.8, 1.0);
    }

    [Fact]
    public void Distilling_from_two_teacher_packages_learns_from_their_ensemble_and_reports_it()
    {
        var first = CompressionFixtures.TrainParent(_folder.File("teacher-1"), hidden: [128, 64]);
        var second = TrainingJob.Run(CompressionFixtures.ParentConfig(hidden: [96, 48]) with { Seed = 6 }, CompressionFixtures.Options(_folder.File("teacher-2"))).RunDirectory;
        var student = CompressionFixtures.ParentConfig(hidden: [8]) with { Data = new DataConfig() };

        var result = DistillationJob.Run(first, student, new DistillationOptions(),
            new DistillationJobOptions { Training = CompressionFixtures.Options(_folder.File("student")), AdditionalTeachers = [second] });

        using var package = ModelPackage.Load(result.PackagePath);
        using var one = ModelPackage.Load(Path.Combine(first, "artifact"));
        using var two = ModelPackage.Load(Path.Combine(second, "artifact"));
        Assert.Equal(one.Model.ParameterCount + two.Model.ParameterCount, result.TeacherParameters);
        Assert.Equal(Path.GetFullPath(first), package.Lineage.ParentModel);
        Assert.Contains("ensemble of 2", package.Metadata.Description, StringComparison.Ordinal);
        Assert.Equal(2, result.MemberTests.Count);
        Assert.InRange(result.TeacherTest["accuracy"], 0.85, 1.0);
        Assert.Equal(result.TeacherTest["accuracy"], package.Metadata.Metrics["teacher_accuracy"], 6);
        Assert.InRange(result.Test["accuracy"], 0.8, 1.0);
    }

    [Fact]
    public void A_teacher_trained_on_other_data_cannot_join_the_ensemble()
    {
        var first = CompressionFixtures.TrainParent(_folder.File("teacher-1"), epochs: 1);
        var other = TrainingJob.Run(CompressionFixtures.ParentConfig(epochs: 1) with { Data = CompressionFixtures.BreastCancer() with { SplitSeed = 4 } },
            CompressionFixtures.Options(_folder.File("teacher-2"))).RunDirectory;

        var error = Assert.Throws<ArgumentException>(() => DistillationJob.Run(first, CompressionFixtures.ParentConfig(hidden: [8]), jobOptions: new DistillationJobOptions
        {
            Training = CompressionFixtures.Options(_folder.File("student")),
            AdditionalTeachers = [other],
        }));

        Assert.Contains("preprocesses its inputs differently", error.Message, StringComparison.Ordinal);
        Assert.Contains(other, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.File("student")));
    }

    [Fact]
    public void A_student_spec_with_other_classes_than_the_teacher_is_refused_by_the_job_before_epoch_one()
    {
        var teacher = CompressionFixtures.TrainParent(_folder.File("teacher"), epochs: 1);
        var spec = new ModelSpec([30], [new Dense(8, Activation.Relu), new Dense(3)]);
        var student = CompressionFixtures.ParentConfig() with { Model = new ModelConfig { Spec = System.Text.Json.Nodes.JsonNode.Parse(spec.ToJson()) } };

        var error = Assert.Throws<ArgumentException>(() => DistillationJob.Run(teacher, student, jobOptions: new DistillationJobOptions { Training = CompressionFixtures.Options(_folder.File("student")) }));

        Assert.Contains("Dense(2)", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.File("student")));
    }
}
