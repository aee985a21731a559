"""The question bank in the database: item versions, test programs, forms; imports and exports."""
