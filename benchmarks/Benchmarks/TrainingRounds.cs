namespace DistTrainer.Benchmarks;

/// <summary>
/// How a benchmark that trains configurations in turns on the embedded cluster runs them: the batch per worker
/// (--batch), the measured steps of each run (--steps), the warm-up steps before the first round (--warm-up), and the rounds.
/// </summary>
public sealed record TrainingRounds(int BatchPerWorker, int Steps, int WarmUpSteps, int Rounds)
{
    public static TrainingRounds Read(BenchmarkArguments args, int rounds) =>
        new(args.Int("--batch", 128), args.Int("--steps", 200), args.Int("--warm-up", 30), args.Int("--rounds", rounds));
}
