"""The dienstencatalogus: dienstverleners and their diensten, the Scope that ketenmachtigingen
and groepen share, what a person chose of it (ScopeSelection), and loading it."""
