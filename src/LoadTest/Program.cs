using ImOrleans.LoadTest.Cli;

return await LoadTestCommandLine.Build().Parse(args).InvokeAsync();
