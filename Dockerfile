# Build: the same restore/publish the README and CI use.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/SocketGateway/SocketGateway.csproj -c Release -o /app

# Run: the ASP.NET Core runtime only, as a non-root user, data on a volume.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /app/data && chown -R app:app /app/data
USER app
ENV Gateway__BindAddress=0.0.0.0 \
    ConnectionStrings__Gateway="Data Source=/app/data/gateway.db"
EXPOSE 8080 5555
VOLUME ["/app/data"]
ENTRYPOINT ["dotnet", "SocketGateway.dll"]
