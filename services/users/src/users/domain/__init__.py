"""Identity rules: accounts, e-mail normalisation, password hashing policy and token claims."""
