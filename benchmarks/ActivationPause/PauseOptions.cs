using System.Globalization;

namespace ImOrleans.ActivationPause;

internal sealed record PauseOptions(int Grains, int Rate, int OneWay, int Warmup, int Seconds, int Burst)
{
    public static PauseOptions Parse(string[] args)
    {
        var options = new PauseOptions(Grains: 4000, Rate: 8000, OneWay: 1, Warmup: 5, Seconds: 20, Burst: 0);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--grains" => options with { Grains = value },
                "--rate" => options with { Rate = value },
                "--one-way" => options with { OneWay = value },
                "--warmup" => options with { Warmup = value },
                "--seconds" => options with { Seconds = value },
                "--burst" => options with { Burst = value },
                _ => throw new ArgumentException($"unknown option {args[i]} (--grains, --rate, --one-way, --warmup, --seconds, --burst)"),
            };
            i++;
        }

        if (options.Grains < 1 || options.Rate < 1 || options.OneWay < 0 || options.Warmup < 0 || options.Seconds < 1 || options.Burst < 0)
        {
            throw new ArgumentException("--grains, --rate and --seconds must be at least 1; --one-way, --warmup and --burst at least 0");
        }

        return options;
    }
}
