# One image with both roles of the scale-out topology (see docker-compose.yml and docs/operations.md):
#   silo:  working directory /app/silo, command: dotnet ImOrleans.Silo.dll
#   edge:  working directory /app/edge, command: dotnet ImOrleans.EdgeGateway.dll
# Every setting comes from environment variables (Cluster__Clustering=Redis, Storage__Provider=PostgreSql, ...).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Silo/ImOrleans.Silo.csproj -c Release -o /app/silo \
 && dotnet publish src/EdgeGateway/ImOrleans.EdgeGateway.csproj -c Release -o /app/edge

FROM mcr.microsoft.com/dotnet/aspnet:10.0
COPY --from=build /app /app
WORKDIR /app/silo
# Smallest gen0 budget 64 MiB (the GC reads it only from the environment; docs/operations.md, "Process settings").
ENV DOTNET_GCgen0size=0x4000000
# Silo-to-silo, client gateway, HTTP (health, navigation), edge client sockets.
EXPOSE 11111 30000 7180 7100
CMD ["dotnet", "ImOrleans.Silo.dll"]
