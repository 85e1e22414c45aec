enum DepotMavenModule {}
