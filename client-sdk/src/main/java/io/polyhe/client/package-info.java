/** The client SDK: keyring, encryption in the model's layout, decryption (arrives with the service issue). */
package io.polyhe.client;
